"""Merchant accounts through HTTP: register, log in, refresh, log out, change password, throttling, and the
wall between merchants and editors."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.test import APIClient

from merchants.models import MerchantProfile, MerchantSession
from tests.merchants.conftest import PASSWORD

pytestmark = pytest.mark.django_db

REGISTER, LOGIN, REFRESH = "/api/v1/auth/register/", "/api/v1/auth/login/", "/api/v1/auth/refresh/"
LOGOUT, PASSWORD_URL, ME = "/api/v1/auth/logout/", "/api/v1/auth/password/", "/api/v1/me/"


def bearer(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_registering_creates_a_merchant_signed_in_at_once(api_client):
    response = api_client.post(REGISTER, {"email": "Epicerie.Sud@Exemple.fr", "password": PASSWORD}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["token_type"] == "Bearer" and body["access"].startswith("ea_") and body["refresh"].startswith("er_")
    user = get_user_model().objects.get(username="epicerie.sud@exemple.fr")
    assert user.email == "epicerie.sud@exemple.fr" and not user.is_staff and not user.is_superuser
    assert user.password != PASSWORD and user.check_password(PASSWORD)
    profile = MerchantProfile.objects.get(user=user)
    assert profile.personalisation_consent is False and profile.consent_updated_at is not None
    # tokens are stored only as digests
    session = MerchantSession.objects.get(user=user)
    assert body["access"] not in (session.access_digest, session.refresh_digest)
    me = bearer(body["access"]).get(ME)
    assert me.status_code == 200 and me.json()["email"] == "epicerie.sud@exemple.fr"


def test_registering_twice_with_the_same_email_is_a_400(api_client, merchant):
    response = api_client.post(REGISTER, {"email": merchant.email.upper(), "password": PASSWORD}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "email_taken"
    assert "email" in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": "a@exemple.fr", "password": "court"}, "password"),
        ({"email": "a@exemple.fr", "password": "1234567890123"}, "password"),
        ({"email": "a@exemple.fr", "password": "motdepasse"}, "password"),
        ({"email": "pas-une-adresse", "password": PASSWORD}, "email"),
        ({"password": PASSWORD}, "email"),
    ],
)
def test_registration_refuses_weak_passwords_and_bad_emails(api_client, payload, field):
    response = api_client.post(REGISTER, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not get_user_model().objects.filter(username="a@exemple.fr").exists()


def test_login_returns_a_new_session_and_a_wrong_password_is_a_401(api_client, merchant):
    response = api_client.post(LOGIN, {"email": merchant.email, "password": PASSWORD}, format="json")
    assert response.status_code == 200
    assert bearer(response.json()["access"]).get(ME).status_code == 200
    assert MerchantSession.objects.filter(user=merchant.profile.user).count() == 2

    wrong = api_client.post(LOGIN, {"email": merchant.email, "password": "pas-le-bon-mot"}, format="json")
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "invalid_credentials"
    assert wrong["WWW-Authenticate"].startswith("Bearer")
    unknown = api_client.post(LOGIN, {"email": "personne@exemple.fr", "password": PASSWORD}, format="json")
    assert unknown.status_code == 401 and unknown.json() == wrong.json()


def test_an_editor_cannot_log_in_as_a_merchant(api_client, editor):
    response = api_client.post(LOGIN, {"email": editor.username, "password": PASSWORD}, format="json")
    assert response.status_code == 401
    assert not MerchantSession.objects.exists()


def test_a_token_of_a_user_who_became_staff_or_has_no_profile_is_refused(merchant):
    user = merchant.profile.user
    user.is_staff = True
    user.save()
    assert merchant.client.get(ME).status_code == 401
    user.is_staff = False
    user.save()
    assert merchant.client.get(ME).status_code == 200
    MerchantProfile.objects.filter(pk=merchant.profile.pk).delete()
    assert merchant.client.get(ME).status_code == 401


def test_a_deactivated_merchant_is_refused_at_once(merchant):
    get_user_model().objects.filter(pk=merchant.profile.user_id).update(is_active=False)
    response = merchant.client.get(ME)
    assert response.status_code == 401
    assert response.json()["error"]["code"] in {"token_invalid", "authentication_failed"}


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer ea_forged", "Bearer a b", "Token abc"])
def test_missing_or_bad_tokens_are_401_in_the_error_shape(header):
    client = APIClient()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(ME)
    assert response.status_code == 401
    assert set(response.json()["error"]) >= {"code", "message"}
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_an_expired_access_token_is_refused_and_refresh_gives_a_new_pair(api_client, merchant):
    MerchantSession.objects.update(access_expires_at=timezone.now() - timedelta(seconds=1))
    assert merchant.client.get(ME).status_code == 401

    response = api_client.post(REFRESH, {"refresh": merchant.tokens.refresh}, format="json")
    assert response.status_code == 200
    fresh = response.json()
    assert fresh["refresh"] != merchant.tokens.refresh
    assert bearer(fresh["access"]).get(ME).status_code == 200


def test_a_refresh_token_works_once_and_its_replay_ends_the_session(api_client, merchant):
    first = api_client.post(REFRESH, {"refresh": merchant.tokens.refresh}, format="json").json()
    replay = api_client.post(REFRESH, {"refresh": merchant.tokens.refresh}, format="json")
    assert replay.status_code == 401 and replay.json()["error"]["code"] == "invalid_refresh_token"
    # the replay looked like theft: the session it belonged to is gone, with its newest tokens
    assert bearer(first["access"]).get(ME).status_code == 401
    assert api_client.post(REFRESH, {"refresh": first["refresh"]}, format="json").status_code == 401


def test_an_expired_refresh_token_is_refused(api_client, merchant):
    MerchantSession.objects.update(refresh_expires_at=timezone.now() - timedelta(seconds=1))
    assert api_client.post(REFRESH, {"refresh": merchant.tokens.refresh}, format="json").status_code == 401
    assert api_client.post(REFRESH, {}, format="json").status_code == 400


def test_logout_ends_this_session_only_or_every_session(api_client, merchant):
    second = api_client.post(LOGIN, {"email": merchant.email, "password": PASSWORD}, format="json").json()
    assert merchant.client.post(LOGOUT, {}, format="json").status_code == 204
    assert merchant.client.get(ME).status_code == 401
    assert api_client.post(REFRESH, {"refresh": merchant.tokens.refresh}, format="json").status_code == 401
    assert bearer(second["access"]).get(ME).status_code == 200

    third = api_client.post(LOGIN, {"email": merchant.email, "password": PASSWORD}, format="json").json()
    assert bearer(third["access"]).post(LOGOUT, {"everywhere": True}, format="json").status_code == 204
    assert bearer(second["access"]).get(ME).status_code == 401
    assert not MerchantSession.objects.exists()


def test_changing_the_password_revokes_every_other_session(api_client, merchant):
    other_device = api_client.post(LOGIN, {"email": merchant.email, "password": PASSWORD}, format="json").json()
    new_password = "Calanques-et-Navettes-2027"
    response = merchant.client.post(
        PASSWORD_URL, {"current_password": PASSWORD, "new_password": new_password}, format="json"
    )
    assert response.status_code == 200
    assert bearer(response.json()["access"]).get(ME).status_code == 200
    assert merchant.client.get(ME).status_code == 401
    assert bearer(other_device["access"]).get(ME).status_code == 401
    assert api_client.post(REFRESH, {"refresh": other_device["refresh"]}, format="json").status_code == 401
    assert api_client.post(LOGIN, {"email": merchant.email, "password": PASSWORD}, format="json").status_code == 401
    assert api_client.post(LOGIN, {"email": merchant.email, "password": new_password}, format="json").status_code == 200


def test_changing_the_password_checks_the_current_one_and_the_new_ones_strength(merchant):
    wrong = merchant.client.post(
        PASSWORD_URL, {"current_password": "faux-mot-de-passe", "new_password": "Calanques-2027-bis"}, format="json"
    )
    assert wrong.status_code == 400 and "current_password" in wrong.json()["error"]["fields"]
    weak = merchant.client.post(PASSWORD_URL, {"current_password": PASSWORD, "new_password": "123"}, format="json")
    assert weak.status_code == 400 and "new_password" in weak.json()["error"]["fields"]
    assert merchant.client.get(ME).status_code == 200  # nothing was revoked


def test_login_and_registration_are_throttled(api_client, settings, merchant):
    settings.MERCHANT_AUTH = {**getattr(settings, "MERCHANT_AUTH", {}), "THROTTLE_RATE": "3/minute"}
    statuses = [
        api_client.post(LOGIN, {"email": merchant.email, "password": "mauvais"}, format="json").status_code
        for _ in range(4)
    ]
    assert statuses == [401, 401, 401, 429]
    blocked = api_client.post(REGISTER, {"email": "nouveau@exemple.fr", "password": PASSWORD}, format="json")
    assert blocked.status_code == 429
    assert blocked.json()["error"]["code"] == "throttled" and "Retry-After" in blocked


def test_merchants_never_reach_the_wagtail_admin(client, merchant):
    client.force_login(merchant.profile.user)
    response = client.get("/admin/")
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert "/admin/login/" in response["Location"]
    # the merchant API's token is no key to the admin either
    response = client.get("/admin/", HTTP_AUTHORIZATION=f"Bearer {merchant.tokens.access}")
    assert response.status_code in (302, 403)


def test_me_answers_are_private_and_never_cached(merchant):
    response = merchant.client.get(ME)
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "Authorization" in response["Vary"]
