"""The merchant's profile: taxonomy slugs checked against the live CMS, French postcodes, consent."""

import pytest

from cms.models import Capability, Sector
from merchants import selectors
from merchants.models import EngagementEvent, MerchantProfile

pytestmark = pytest.mark.django_db

PROFILE = "/api/v1/me/profile/"
FULL = {
    "business_name": "Boulangerie Martin",
    "sector": "artisanat-bouche",
    "size_band": "2-5",
    "postcode": "13001",
    "capabilities": ["fiche-etablissement", "page-facebook"],
    "goals": ["etre-trouve"],
    "personalisation_consent": True,
}


def test_a_new_profile_is_empty_but_complete_in_shape(merchant):
    response = merchant.client.get(PROFILE)
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "business_name": "",
        "sector": None,
        "size_band": "",
        "postcode": "",
        "capabilities": [],
        "goals": [],
        "personalisation_consent": True,
        "consent_updated_at": body["consent_updated_at"],
        "updated_at": body["updated_at"],
    }


def test_put_replaces_the_profile_and_stores_it(merchant):
    response = merchant.client.put(PROFILE, FULL, format="json")
    assert response.status_code == 200
    body = response.json()
    assert {key: body[key] for key in FULL} == {**FULL, "capabilities": ["fiche-etablissement", "page-facebook"]}
    profile = MerchantProfile.objects.get(pk=merchant.profile.pk)
    assert profile.sector.slug == "artisanat-bouche" and profile.postcode == "13001"
    assert set(profile.capabilities.values_list("slug", flat=True)) == {"fiche-etablissement", "page-facebook"}


def test_put_needs_every_field_and_patch_changes_only_what_is_sent(merchant):
    missing = merchant.client.put(PROFILE, {"business_name": "Chez Paul"}, format="json")
    assert missing.status_code == 400
    assert {"sector", "size_band", "postcode", "capabilities", "goals"} <= set(missing.json()["error"]["fields"])

    merchant.client.put(PROFILE, FULL, format="json")
    response = merchant.client.patch(PROFILE, {"postcode": "20000"}, format="json")
    assert response.status_code == 200
    assert response.json()["postcode"] == "20000" and response.json()["sector"] == "artisanat-bouche"
    assert response.json()["capabilities"] == ["fiche-etablissement", "page-facebook"]


@pytest.mark.parametrize(
    ("field", "value", "accepted_example"),
    [
        ("sector", "boucherie-chevaline", "restauration"),
        ("capabilities", ["site-vitrine", "telepathie"], "click-collect"),
        ("goals", ["devenir-riche"], "etre-trouve"),
    ],
)
def test_an_unknown_slug_is_a_400_naming_the_field_and_the_accepted_values(merchant, field, value, accepted_example):
    response = merchant.client.patch(PROFILE, {field: value}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and list(error["fields"]) == [field]
    message = error["fields"][field][0]
    assert "Valeurs acceptées" in message and accepted_example in message
    assert "telepathie" in message or "boucherie-chevaline" in message or "devenir-riche" in message
    if field == "capabilities":
        assert "site-vitrine, " not in message.split("Valeurs acceptées")[0]  # only the unknown one is named


@pytest.mark.parametrize("postcode", ["1300", "130011", "00100", "99000", "96100", "ABCDE", "13 001"])
def test_a_postcode_that_is_not_french_is_refused(merchant, postcode):
    response = merchant.client.patch(PROFILE, {"postcode": postcode}, format="json")
    assert response.status_code == 400
    assert "postcode" in response.json()["error"]["fields"]


@pytest.mark.parametrize("postcode", ["13001", "01000", "20090", "97400", "98000", "75015"])
def test_french_postcodes_are_accepted(merchant, postcode):
    assert merchant.client.patch(PROFILE, {"postcode": postcode}, format="json").status_code == 200


def test_size_band_is_a_fixed_choice(merchant):
    response = merchant.client.patch(PROFILE, {"size_band": "50-plus"}, format="json")
    assert response.status_code == 400 and "size_band" in response.json()["error"]["fields"]
    assert merchant.client.patch(PROFILE, {"size_band": "seul"}, format="json").status_code == 200


def test_terms_added_by_editors_are_accepted_without_a_code_change(merchant):
    Sector.objects.create(slug="marches-forains", name="Marchés forains")
    Capability.objects.create(slug="caisse-en-ligne", name="Caisse en ligne")
    response = merchant.client.patch(
        PROFILE, {"sector": "marches-forains", "capabilities": ["caisse-en-ligne"]}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["sector"] == "marches-forains" and response.json()["capabilities"] == ["caisse-en-ligne"]


def test_consent_changes_are_timestamped_and_withdrawal_hides_history_at_once(merchant):
    EngagementEvent.objects.create(
        merchant=merchant.profile,
        module_slug="creer-sa-fiche-google",
        kind="viewed",
        occurred_at="2026-01-10T10:00:00Z",
        event_id="00000000-0000-4000-8000-000000000001",
        payload_fingerprint="x",
    )
    assert selectors.history_for_recommendation(merchant=merchant.profile).count() == 1
    given_at = merchant.client.get(PROFILE).json()["consent_updated_at"]

    response = merchant.client.patch(PROFILE, {"personalisation_consent": False}, format="json")
    assert response.json()["personalisation_consent"] is False
    assert response.json()["consent_updated_at"] > given_at
    # the same in-memory profile object: the selector reads consent from the database, not from it
    assert selectors.history_for_recommendation(merchant=merchant.profile).count() == 0

    unchanged_at = response.json()["consent_updated_at"]
    again = merchant.client.patch(PROFILE, {"personalisation_consent": False}, format="json").json()
    assert again["consent_updated_at"] == unchanged_at
    merchant.client.patch(PROFILE, {"personalisation_consent": True}, format="json")
    assert selectors.history_for_recommendation(merchant=merchant.profile).count() == 1


def test_the_profile_accepts_a_json_body_only_with_valid_types(merchant):
    response = merchant.client.patch(PROFILE, {"capabilities": "site-vitrine"}, format="json")
    assert response.status_code == 400 and "capabilities" in response.json()["error"]["fields"]
    response = merchant.client.patch(PROFILE, {"sector": 3}, format="json")
    assert response.status_code == 400 and "sector" in response.json()["error"]["fields"]
