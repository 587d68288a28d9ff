"""Privacy leftovers closed: the export holds the recommender's impressions and no internal staff notes;
erasure unlinks events from impressions and ends the user's admin sessions; preview links expire and are
never stored; a password of spaces is refused."""

import time
import uuid

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import signing

from cms.models import ModulePage
from merchants.models import EngagementEvent
from recommender.models import Impression

pytestmark = pytest.mark.django_db


def test_the_export_holds_the_impressions(merchant):
    shown = merchant.client.get("/api/v1/me/recommendations/?limit=3").json()
    export = merchant.client.get("/api/v1/me/export/").json()
    impressions = export["recommendation_impressions"]
    assert [i["module"] for i in impressions] == [r["module"]["slug"] for r in shown["results"]]
    assert {i["recommendation_id"] for i in impressions} == {shown["recommendation_id"]}


def test_erasure_unlinks_events_from_impressions_and_ends_admin_sessions(merchant, client):
    shown = merchant.client.get("/api/v1/me/recommendations/?limit=3").json()
    module = shown["results"][0]["module"]["slug"]
    event = {
        "event_id": str(uuid.uuid4()),
        "module": module,
        "kind": "viewed",
        "recommendation_id": shown["recommendation_id"],
    }
    assert merchant.client.post("/api/v1/me/events/", event, format="json").status_code == 201
    client.force_login(merchant.profile.user)  # a merchant who once signed in at /admin/ (refused there, but a session)
    assert Session.objects.count() == 1
    impression_ids = list(Impression.objects.filter(merchant=merchant.profile).values_list("pk", flat=True))

    erased = merchant.client.delete("/api/v1/me/", {"password": "Sardines-du-Vieux-Port-2026"}, format="json")
    assert erased.status_code == 204

    anonymised = EngagementEvent.objects.get(module_slug=module, merchant=None)
    assert anonymised.recommendation_id is None
    kept = Impression.objects.filter(pk__in=impression_ids)
    assert kept.count() == len(impression_ids) and not kept.filter(merchant__isnull=False).exists()
    assert not kept.filter(
        recommendation_id=shown["recommendation_id"]
    ).exists()  # the id the merchant kept leads nowhere
    assert kept.values("recommendation_id").distinct().count() == 1  # still one response for the editors' figures
    assert not Session.objects.exists()


def preview_token(monkeypatch, age_seconds: int) -> str:
    page = ModulePage.objects.get(slug="rgpd-les-bases").get_latest_revision_as_object()
    signed_at = signing.b62_encode(int(time.time()) - age_seconds)
    monkeypatch.setattr(signing.TimestampSigner, "timestamp", lambda self: signed_at)
    token = page.create_page_preview().token
    monkeypatch.undo()
    return token


def test_preview_links_expire_and_are_never_stored(api_client, monkeypatch):
    fresh = preview_token(monkeypatch, age_seconds=60)
    response = api_client.get("/api/v2/page_preview/", {"content_type": "cms.modulepage", "token": fresh})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]

    old = preview_token(monkeypatch, age_seconds=settings.PREVIEW_TOKEN_TTL + 60)
    expired = api_client.get("/api/v2/page_preview/", {"content_type": "cms.modulepage", "token": old})
    assert expired.status_code == 404
    assert "expiré" in expired.json()["error"]["message"]


@pytest.mark.parametrize("password", [" " * 10, " " * 30, "a b c d e f g h i"])
def test_a_password_made_of_spaces_is_refused(api_client, password):
    response = api_client.post(
        "/api/v1/auth/register/", {"email": "espaces@exemple.fr", "password": password}, format="json"
    )
    assert response.status_code == 400
    assert "password" in response.json()["error"]["fields"]


def test_a_passphrase_with_spaces_is_welcome(api_client):
    response = api_client.post(
        "/api/v1/auth/register/", {"email": "phrase@exemple.fr", "password": "les navettes du port"}, format="json"
    )
    assert response.status_code == 201
