"""RGPD: the export holds every personal datum, erasure leaves nothing personal behind (checked in the
database), and no log line carries personal data."""

import logging
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from rest_framework.test import APIClient
from wagtail.models import ModelLogEntry

from merchants.models import (
    CapabilityOrigin,
    DiagnosticResult,
    EngagementEvent,
    MerchantProfile,
    MerchantSession,
)
from missions.models import Mission
from tests.factories import StudentFactory
from tests.merchants.conftest import PASSWORD

pytestmark = pytest.mark.django_db

PROFILE = {
    "business_name": "Boulangerie Martin",
    "sector": "artisanat-bouche",
    "size_band": "2-5",
    "postcode": "13001",
    "capabilities": ["page-facebook"],
    "goals": ["etre-trouve"],
    "personalisation_consent": True,
}


@pytest.fixture
def active_merchant(merchant, api_client):
    merchant.client.put("/api/v1/me/profile/", PROFILE, format="json")
    questionnaire = api_client.get("/api/v1/diagnostic/").json()
    answers = {q["slug"]: [q["answers"][0]["slug"]] for q in questionnaire["questions"]}
    merchant.client.post("/api/v1/me/diagnostic/", {"answers": answers}, format="json")
    merchant.events = [
        {
            "event_id": str(uuid.uuid4()),
            "module": "rgpd-les-bases",
            "kind": "bookmarked",
            "occurred_at": "2026-03-04T15:27:41+01:00",
        },
        {
            "event_id": str(uuid.uuid4()),
            "module": "lancer-le-click-and-collect",
            "kind": "rated",
            "value": 4,
            "recommendation_id": str(uuid.uuid4()),
        },
    ]
    merchant.client.post("/api/v1/me/events/", merchant.events, format="json")
    help_id = merchant.client.post(
        "/api/v1/me/help-requests/",
        {"theme": "se-proteger", "message": "Mon site a été piraté", "availability": "Mardi"},
        format="json",
    ).json()["id"]
    merchant.help_id = help_id
    return merchant


def test_the_export_holds_every_personal_datum(active_merchant):
    response = active_merchant.client.get("/api/v1/me/export/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment") and "no-store" in response["Cache-Control"]
    export = response.json()
    assert set(export) == {
        "exported_at",
        "account",
        "profile",
        "diagnostics",
        "events",
        "bookmarks",
        "missions",
        "recommendation_impressions",
    }
    assert export["account"]["email"] == active_merchant.email and len(export["account"]["sessions"]) == 1
    assert {key: export["profile"][key] for key in PROFILE} == {
        **PROFILE,
        "capabilities": export["profile"]["capabilities"],
    }
    assert "page-facebook" in export["profile"]["capabilities"] and export["profile"]["consent_updated_at"]
    origins = {o["capability"]: o for o in export["profile"]["capability_origins"]}
    assert set(origins) == set(export["profile"]["capabilities"])
    assert origins["page-facebook"]["source"] == "declared" and origins["page-facebook"]["since"]
    [diagnostic] = export["diagnostics"]
    assert diagnostic["answers"] and diagnostic["theme_scores"] and diagnostic["overall_score"] > 0
    assert sorted(e["event_id"] for e in export["events"]) == sorted(e["event_id"] for e in active_merchant.events)
    rated = next(e for e in export["events"] if e["kind"] == "rated")
    assert rated["value"] == 4 and rated["recommendation_id"] == active_merchant.events[1]["recommendation_id"]
    assert export["bookmarks"] == ["rgpd-les-bases"]
    [mission] = export["missions"]
    assert mission["need"] == "Mon site a été piraté" and mission["availability"] == "Mardi"
    # nothing that is not theirs, and no secret
    text = response.content.decode()
    assert "password" not in text and "digest" not in text and "pbkdf2" not in text and "md5$" not in text


def test_erasure_leaves_nothing_personal_behind(active_merchant, client, editor):
    profile = active_merchant.profile
    user_id, profile_id = profile.user_id, profile.pk
    events_before = EngagementEvent.objects.filter(merchant=profile).count()
    old_event_ids = {e["event_id"] for e in active_merchant.events}
    # a coordinator's edit leaves an admin history entry about the mission
    student = StudentFactory(themes=["se-proteger"])
    client.force_login(editor)
    client.post(
        reverse("mission:edit", args=[active_merchant.help_id]),
        {"action": "propose", "student": student.pk, "coordinator_notes": "Rappeler la boulangerie"},
    )
    assert ModelLogEntry.objects.filter(object_id=str(active_merchant.help_id)).exists()

    response = active_merchant.client.delete("/api/v1/me/", {"password": PASSWORD}, format="json")
    assert response.status_code == 204

    assert not get_user_model().objects.filter(pk=user_id).exists()
    assert not get_user_model().objects.filter(username=active_merchant.email).exists()
    assert not MerchantProfile.objects.filter(pk=profile_id).exists()
    assert not MerchantSession.objects.filter(user_id=user_id).exists()
    assert not DiagnosticResult.objects.filter(merchant_id=profile_id).exists()
    # the mission stays, anonymised: no merchant, no words of theirs, no internal notes
    mission = Mission.objects.get(pk=active_merchant.help_id)
    assert mission.merchant is None and mission.need == "" and mission.coordinator_notes == ""
    assert mission.status == "cancelled"
    assert not CapabilityOrigin.objects.filter(merchant_id=profile_id).exists()
    assert not ModelLogEntry.objects.filter(object_id=str(active_merchant.help_id)).exists()
    assert not ModelLogEntry.objects.filter(label__icontains="boulangerie").exists()

    # events stay for statistics, anonymised for good
    anonymised = EngagementEvent.objects.filter(merchant__isnull=True)
    assert anonymised.count() == events_before
    assert not {str(e) for e in anonymised.values_list("event_id", flat=True)} & old_event_ids
    for event in anonymised:
        assert (event.occurred_at.hour, event.occurred_at.minute, event.occurred_at.second) == (0, 0, 0)
        assert (event.received_at.hour, event.received_at.minute) == (0, 0)
    assert anonymised.get(kind="rated").value == 4
    # the recommendation id tied the events to each other and to the impressions' exact times: gone
    assert anonymised.get(kind="rated").recommendation_id is None

    # every token is dead at once, and the account cannot sign in again
    assert active_merchant.client.get("/api/v1/me/").status_code == 401
    refresh = APIClient().post("/api/v1/auth/refresh/", {"refresh": active_merchant.tokens.refresh}, format="json")
    assert refresh.status_code == 401
    login = APIClient().post(
        "/api/v1/auth/login/", {"email": active_merchant.email, "password": PASSWORD}, format="json"
    )
    assert login.status_code == 401

    # nothing in any table still names the merchant
    from django.apps import apps

    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.get_internal_type() in ("CharField", "TextField", "EmailField", "JSONField"):
                for secret in (active_merchant.email, "Boulangerie Martin", "Mon site a été piraté"):
                    lookup = {f"{field.name}__icontains": secret} if field.get_internal_type() != "JSONField" else None
                    if lookup:
                        assert not model._default_manager.filter(**lookup).exists(), (model, field.name, secret)


def test_the_same_email_can_register_again_after_erasure(api_client, merchant):
    merchant.client.delete("/api/v1/me/", {"password": PASSWORD}, format="json")
    response = api_client.post("/api/v1/auth/register/", {"email": merchant.email, "password": PASSWORD}, format="json")
    assert response.status_code == 201


def test_no_log_line_carries_personal_data(api_client, caplog):
    caplog.set_level(logging.DEBUG)
    email, password = "secret.patissier@exemple.fr", "Navettes-de-Saint-Victor-1"
    token = api_client.post("/api/v1/auth/register/", {"email": email, "password": password}, format="json").json()
    api_client.post("/api/v1/auth/login/", {"email": email, "password": "faux-mot-de-passe"}, format="json")
    api_client.post("/api/v1/auth/register/", {"email": email, "password": password}, format="json")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token['access']}")
    client.put("/api/v1/me/profile/", {**PROFILE, "business_name": "Pâtisserie Secrète"}, format="json")
    client.patch("/api/v1/me/profile/", {"postcode": "1300"}, format="json")
    client.post("/api/v1/me/help-requests/", {"theme": "se-proteger", "message": "Mon secret"}, format="json")
    client.post("/api/v1/auth/login/", {"email": email, "password": password}, format="json")
    assert client.delete("/api/v1/me/", {"password": password}, format="json").status_code == 204

    assert caplog.records, "the flows above do log (ids only)"
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in (email, "secret.patissier", password, "Pâtisserie Secrète", "13001", "1300", "Mon secret"):
        assert secret not in logged
    assert token["access"] not in logged and token["refresh"] not in logged
