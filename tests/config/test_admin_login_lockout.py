"""The admin's sign-in is not a password oracle: after AXES_FAILURE_LIMIT wrong passwords from one client,
even the right password is refused for the lockout window, with a French page; other clients are unaffected."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

PASSWORD = "Sardines-du-Vieux-Port-2026"


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_superuser("edith@eleasud.fr", "edith@eleasud.fr", PASSWORD)


def sign_in(client, password, ip="203.0.113.7"):
    return client.post(
        "/admin/login/", {"username": "edith@eleasud.fr", "password": password}, REMOTE_ADDR=ip, follow=False
    )


def test_wrong_passwords_lock_the_admin_login_even_for_the_right_one(client, editor):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "pas-le-bon").status_code == 200  # the form again, with its error
    locked = sign_in(client, "pas-le-bon")
    assert locked.status_code == 429
    right = sign_in(client, PASSWORD)
    assert right.status_code == 429  # the right password no longer helps during the window
    page = right.content.decode()
    assert "Connexion temporairement bloquée" in page and "15 minutes" in page
    assert "_auth_user_id" not in client.session

    # Another client (another address) signs in normally: nobody can lock an editor out from elsewhere.
    assert sign_in(client, PASSWORD, ip="198.51.100.20").status_code == 302


def test_a_success_before_the_limit_resets_the_count(client, editor):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "pas-le-bon")
    assert sign_in(client, PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "pas-le-bon").status_code == 200


def test_the_lockout_identifies_clients_like_the_api_throttles(client, editor, settings):
    """Behind NUM_PROXIES=1 the client is the last X-Forwarded-For entry; a forged first entry changes nothing."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/admin/login/",
            {"username": "edith@eleasud.fr", "password": "pas-le-bon"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.9",
        )
    response = client.post(
        "/admin/login/",
        {"username": "edith@eleasud.fr", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="192.0.2.200, 203.0.113.9",
    )
    assert response.status_code == 429


def test_the_api_login_still_works_with_the_lockout_installed(api_client):
    from merchants import services

    services.register_merchant(email="martin@exemple.fr", password=PASSWORD)
    response = api_client.post(
        "/api/v1/auth/login/", {"email": "martin@exemple.fr", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
