"""Where each capability of a profile comes from: declared, detected by a diagnostic, acquired by completing a
module — what training needs to featurise past interactions with what the merchant had before them."""

import uuid

import pytest

from merchants.models import CapabilityOrigin

pytestmark = pytest.mark.django_db


def _origins(profile):
    return {
        o.capability.slug: o for o in CapabilityOrigin.objects.filter(merchant=profile).select_related("capability")
    }


def test_each_capability_keeps_its_first_origin(make_merchant, api_client):
    merchant = make_merchant()
    client = merchant.client
    assert client.patch("/api/v1/me/profile/", {"capabilities": ["page-facebook"]}, format="json").status_code == 200
    questionnaire = api_client.get("/api/v1/diagnostic/").json()
    # Answers that detect capabilities (the first answer of every question carrying some).
    answers = {}
    for question in questionnaire["questions"]:
        answers[question["slug"]] = [question["answers"][0]["slug"]]
    assert client.post("/api/v1/me/diagnostic/", {"answers": answers}, format="json").status_code == 201
    completed_at = "2026-11-20T10:00:00+01:00"
    response = client.post(
        "/api/v1/me/events/",
        [
            {
                "event_id": str(uuid.uuid4()),
                "module": "reconnaitre-les-arnaques",
                "kind": "completed",
                "occurred_at": completed_at,
            }
        ],
        format="json",
    )
    assert response.status_code in (200, 201, 207)

    origins = _origins(merchant.profile)
    assert origins["page-facebook"].source == "declared"
    detected = [o for o in origins.values() if o.source == "detected"]
    assert detected and all(o.diagnostic_id is not None for o in detected)
    vigilance = origins["vigilance-arnaques"]
    assert (vigilance.source, vigilance.module_slug) == ("acquired", "reconnaitre-les-arnaques")
    assert vigilance.since.isoformat().startswith("2026-11-20T09:00:00")
    assert set(origins) == set(merchant.profile.capabilities.values_list("slug", flat=True))

    # Declaring it again changes nothing; removing it from the profile removes its origin.
    client.patch("/api/v1/me/profile/", {"capabilities": ["page-facebook", "vigilance-arnaques"]}, format="json")
    assert _origins(merchant.profile)["vigilance-arnaques"].source == "acquired"
    client.patch("/api/v1/me/profile/", {"capabilities": ["vigilance-arnaques"]}, format="json")
    assert set(_origins(merchant.profile)) == {"vigilance-arnaques"}

    exported = client.get("/api/v1/me/export/").json()["profile"]["capability_origins"]
    assert [(o["capability"], o["source"], o["module"]) for o in exported] == [
        ("vigilance-arnaques", "acquired", "reconnaitre-les-arnaques")
    ]
