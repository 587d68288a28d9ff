"""No merchant ever reads or changes another merchant's data, and nothing personal answers without a token."""

import uuid

import pytest
from rest_framework.test import APIClient

from merchants.models import DiagnosticResult, MerchantProfile
from missions.models import Mission

pytestmark = pytest.mark.django_db

ME_ENDPOINTS = [
    ("get", "/api/v1/me/"),
    ("delete", "/api/v1/me/"),
    ("get", "/api/v1/me/profile/"),
    ("put", "/api/v1/me/profile/"),
    ("patch", "/api/v1/me/profile/"),
    ("get", "/api/v1/me/diagnostic/"),
    ("post", "/api/v1/me/diagnostic/"),
    ("post", "/api/v1/me/events/"),
    ("get", "/api/v1/me/progress/"),
    ("get", "/api/v1/me/help-requests/"),
    ("post", "/api/v1/me/help-requests/"),
    ("get", "/api/v1/me/help-requests/{id}/"),
    ("post", "/api/v1/me/help-requests/{id}/cancel/"),
    ("post", "/api/v1/me/help-requests/{id}/rating/"),
    ("get", "/api/v1/me/export/"),
    ("post", "/api/v1/auth/logout/"),
    ("post", "/api/v1/auth/password/"),
]


@pytest.fixture
def victim(merchant):
    """A merchant with data everywhere: profile, diagnostic, events, a help request."""
    merchant.client.put(
        "/api/v1/me/profile/",
        {
            "business_name": "Boulangerie Martin",
            "sector": "artisanat-bouche",
            "size_band": "2-5",
            "postcode": "13001",
            "capabilities": ["page-facebook"],
            "goals": ["etre-trouve"],
            "personalisation_consent": True,
        },
        format="json",
    )
    merchant.client.post(
        "/api/v1/me/events/",
        {"event_id": str(uuid.uuid4()), "module": "rgpd-les-bases", "kind": "bookmarked"},
        format="json",
    )
    help_id = merchant.client.post(
        "/api/v1/me/help-requests/", {"theme": "se-proteger", "message": "Secret de fabrication"}, format="json"
    ).json()["id"]
    DiagnosticResult.objects.create(
        merchant=merchant.profile,
        questionnaire_slug="autodiagnostic-numerique",
        answers={},
        theme_scores={"se-proteger": 42},
        overall_score=42,
        band_slug="en-progression",
        band_label="En progression",
    )
    merchant.help_id = help_id
    return merchant


@pytest.mark.parametrize(("method", "path"), ME_ENDPOINTS)
def test_without_a_token_every_merchant_endpoint_is_a_401(victim, method, path):
    response = getattr(APIClient(), method)(path.format(id=victim.help_id), {}, format="json")
    assert response.status_code == 401, path
    assert "Boulangerie" not in response.content.decode() and "Secret" not in response.content.decode()


@pytest.mark.parametrize(("method", "path"), ME_ENDPOINTS)
def test_another_merchant_never_sees_or_changes_the_victims_data(victim, other_merchant, method, path):
    before = victim.client.get("/api/v1/me/export/").json()
    response = getattr(other_merchant.client, method)(path.format(id=victim.help_id), {}, format="json")
    assert response.status_code in (200, 201, 204, 400, 404), path
    text = response.content.decode()
    for secret in ("Boulangerie", "13001", "Secret de fabrication", victim.email, "rgpd-les-bases"):
        assert secret not in text, (path, secret)
    if "{id}" in path:
        assert response.status_code == 404
    # the victim's data is exactly as it was
    victim_profile = MerchantProfile.objects.filter(pk=victim.profile.pk).first()
    assert victim_profile is not None
    after = victim.client.get("/api/v1/me/export/").json()
    for key in ("profile", "diagnostics", "events", "missions", "bookmarks"):
        assert after[key] == before[key], (path, key)
    assert Mission.objects.get(pk=victim.help_id).status == "new"


def test_the_export_of_one_merchant_holds_nothing_of_another(victim, other_merchant):
    export = other_merchant.client.get("/api/v1/me/export/").json()
    assert export["account"]["email"] == other_merchant.email
    assert export["events"] == [] and export["missions"] == [] and export["diagnostics"] == []
