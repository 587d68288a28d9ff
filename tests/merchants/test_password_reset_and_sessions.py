"""Forgotten password by e-mail, account deletion behind the password, and refresh throttled per session."""

import re

import pytest
from django.core import mail
from rest_framework.test import APIClient

from merchants.models import MerchantProfile, MerchantSession
from tests.merchants.conftest import PASSWORD

pytestmark = pytest.mark.django_db

RESET, CONFIRM = "/api/v1/auth/password-reset/", "/api/v1/auth/password-reset/confirm/"
NEW_PASSWORD = "Calanques-et-Navettes-2027"


def reset_link_parts(message):
    match = re.search(r"/app/mot-de-passe/nouveau/#uid=([\w-]+)&token=([\w-]+)", message.body)
    assert match, message.body
    return {"uid": match.group(1), "token": match.group(2)}


def test_a_reset_link_works_once_ends_every_session_and_signs_this_device_in(
    api_client, make_merchant, settings, run_task_worker
):
    settings.MERCHANT_APP_BASE_URL = "https://app.exemple.fr"
    merchant = make_merchant()
    response = api_client.post(RESET, {"email": merchant.email.upper()}, format="json")
    assert response.status_code == 202
    assert mail.outbox == []  # never sent inside the request
    run_task_worker()
    [message] = mail.outbox
    assert message.to == [merchant.email]
    assert "https://app.exemple.fr/app/mot-de-passe/nouveau/#uid=" in message.body
    assert message.alternatives and "Choisir un nouveau mot de passe" in message.alternatives[0][0]
    link = reset_link_parts(message)

    weak = api_client.post(CONFIRM, {**link, "new_password": "1234"}, format="json")
    assert weak.status_code == 400 and "new_password" in weak.json()["error"]["fields"]

    done = api_client.post(CONFIRM, {**link, "new_password": NEW_PASSWORD}, format="json")
    assert done.status_code == 200 and done.json()["access"].startswith("ea_")
    assert MerchantSession.objects.filter(user__email=merchant.email).count() == 1  # the old one ended
    assert merchant.client.get("/api/v1/me/").status_code == 401
    assert (
        APIClient()
        .post("/api/v1/auth/login/", {"email": merchant.email, "password": NEW_PASSWORD}, format="json")
        .status_code
        == 200
    )

    again = api_client.post(CONFIRM, {**link, "new_password": "Une-Autre-Phrase-2028"}, format="json")
    assert again.status_code == 400 and again.json()["error"]["code"] == "invalid_reset_link"


def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(api_client, make_merchant, run_task_worker):
    merchant = make_merchant()
    known = api_client.post(RESET, {"email": merchant.email}, format="json")
    unknown = api_client.post(RESET, {"email": "personne@exemple.fr"}, format="json")
    run_task_worker()
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert [m.to for m in mail.outbox] == [[merchant.email]]


def test_an_altered_link_is_refused(api_client, make_merchant, run_task_worker):
    merchant = make_merchant()
    api_client.post(RESET, {"email": merchant.email}, format="json")
    run_task_worker()
    link = reset_link_parts(mail.outbox[0])
    forged = api_client.post(
        CONFIRM, {**link, "token": link["token"][:-2] + "xx", "new_password": NEW_PASSWORD}, format="json"
    )
    assert forged.status_code == 400 and forged.json()["error"]["code"] == "invalid_reset_link"
    assert (
        APIClient()
        .post("/api/v1/auth/login/", {"email": merchant.email, "password": PASSWORD}, format="json")
        .status_code
        == 200
    )


def test_reset_requests_are_throttled_per_address(api_client, make_merchant, settings, run_task_worker):
    merchant = make_merchant()
    settings.MERCHANT_AUTH = {**settings.MERCHANT_AUTH, "RESET_EMAIL_RATE": "2/hour"}
    statuses = [api_client.post(RESET, {"email": merchant.email}, format="json").status_code for _ in range(3)]
    assert statuses == [202, 202, 429]
    run_task_worker()
    assert len(mail.outbox) == 2


def test_editors_get_no_reset_email_from_the_merchant_endpoint(api_client, django_user_model, run_task_worker):
    django_user_model.objects.create_user(username="editrice@exemple.fr", email="editrice@exemple.fr", is_staff=True)
    assert api_client.post(RESET, {"email": "editrice@exemple.fr"}, format="json").status_code == 202
    run_task_worker()
    assert mail.outbox == []


def test_deleting_the_account_asks_for_the_password(make_merchant):
    merchant = make_merchant()
    wrong = merchant.client.delete("/api/v1/me/", {"password": "pas-le-bon"}, format="json")
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "wrong_password"
    missing = merchant.client.delete("/api/v1/me/", format="json")
    assert missing.status_code == 400 and "password" in missing.json()["error"]["fields"]
    assert MerchantProfile.objects.filter(pk=merchant.profile.pk).exists()
    assert merchant.client.delete("/api/v1/me/", {"password": PASSWORD}, format="json").status_code == 204
    assert not MerchantProfile.objects.filter(pk=merchant.profile.pk).exists()


def test_refresh_is_throttled_per_session_not_per_ip(make_merchant, settings):
    settings.MERCHANT_AUTH = {
        **settings.MERCHANT_AUTH,
        "THROTTLE_RATE": "3/minute",
        "REFRESH_THROTTLE_RATE": "4/minute",
    }
    client = APIClient()  # every merchant of a workshop behind the same address
    for merchant in [make_merchant() for _ in range(5)]:
        refresh = merchant.tokens.refresh
        for _ in range(4):
            response = client.post("/api/v1/auth/refresh/", {"refresh": refresh}, format="json")
            assert response.status_code == 200
            refresh = response.json()["refresh"]
        assert client.post("/api/v1/auth/refresh/", {"refresh": refresh}, format="json").status_code == 429
    # unknown tokens stay limited per IP, at the sign-in rate
    guesses = [
        client.post("/api/v1/auth/refresh/", {"refresh": f"er_guess{i}"}, format="json").status_code for i in range(4)
    ]
    assert guesses == [401, 401, 401, 429]
