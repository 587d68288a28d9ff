"""Any change of a merchant's password, by any path, ends every API session at once (access and refresh
tokens), and the admin's password reset never serves merchants (they reset through the API's flow)."""

import pytest
from django.contrib.auth.hashers import make_password
from django.core import mail

from merchants import services

NEW_PASSWORD = "Navettes-de-Saint-Victor-2027"


def assert_signed_out(merchant, api_client):
    assert merchant.client.get("/api/v1/me/").status_code == 401
    refresh = api_client.post("/api/v1/auth/refresh/", {"refresh": merchant.tokens.refresh}, format="json")
    assert refresh.status_code == 401 and refresh.json()["error"]["code"] == "invalid_refresh_token"


def test_set_password_and_save_from_anywhere_ends_the_sessions(merchant, api_client):
    assert merchant.client.get("/api/v1/me/").status_code == 200
    user = merchant.profile.user
    user.set_password(NEW_PASSWORD)
    user.save()
    assert_signed_out(merchant, api_client)
    login = api_client.post("/api/v1/auth/login/", {"email": merchant.email, "password": NEW_PASSWORD}, format="json")
    assert login.status_code == 200  # the new password opens new sessions that work
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {login.json()['access']}")
    assert api_client.get("/api/v1/me/").status_code == 200


def test_even_a_queryset_update_of_the_password_ends_the_sessions(merchant, api_client, django_user_model):
    django_user_model.objects.filter(pk=merchant.profile.user_id).update(password=make_password(NEW_PASSWORD))
    assert_signed_out(merchant, api_client)


def test_staff_changing_a_merchants_password_in_the_admin_ends_the_sessions(merchant, editor, client):
    client.force_login(editor)
    user = merchant.profile.user
    response = client.post(
        f"/admin/users/edit/{user.pk}/",
        {
            "username": user.username,
            "email": user.email,
            "first_name": "Martin",
            "last_name": "Boulanger",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content[:500]
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert merchant.client.get("/api/v1/me/").status_code == 401


def test_the_password_change_endpoint_keeps_only_the_new_session(merchant, make_merchant, api_client):
    second_device = services.log_in_merchant(email=merchant.email, password="Sardines-du-Vieux-Port-2026")
    response = merchant.client.post(
        "/api/v1/auth/password/",
        {"current_password": "Sardines-du-Vieux-Port-2026", "new_password": NEW_PASSWORD},
        format="json",
    )
    assert response.status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    assert api_client.get("/api/v1/me/").status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {second_device.access}")
    assert api_client.get("/api/v1/me/").status_code == 401


@pytest.mark.django_db
def test_the_admin_password_reset_never_emails_a_merchant(merchant, editor, client):
    for email in (merchant.email, editor.email):
        response = client.post("/admin/password_reset/", {"email": email})
        assert response.status_code == 302  # the same answer for both
    assert [message.to for message in mail.outbox] == [[editor.email]]
