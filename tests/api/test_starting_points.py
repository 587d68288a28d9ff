"""'Par où commencer': the public, non-personal starting points for a sector."""

import uuid

import pytest
from django.utils import timezone

from cms.models import ModulePage, Sector
from merchants import services
from merchants.models import MerchantProfile

pytestmark = pytest.mark.django_db
START = "/api/v1/start/"


def merchants_take_up(slug, sector, count):
    module = ModulePage.objects.get(slug=slug)
    for _ in range(count):
        email = f"{uuid.uuid4().hex[:10]}@exemple.fr"
        services.register_merchant(email=email, password="Sardines-du-Vieux-Port-2026")
        profile = MerchantProfile.objects.get(user__username=email)
        profile.sector = sector
        profile.save()
        event = services.EventInput(event_id=uuid.uuid4(), module=module.slug, kind="started")
        services.record_events(merchant=profile, events=[event])


def test_editorial_picks_then_the_sectors_popular_modules_without_small_cells(api_client):
    sector = Sector.objects.get(slug="artisanat-bouche")
    boosted = ModulePage.objects.live().exclude(target_sectors__isnull=False).first()
    boosted.boost_weight, boosted.boost_starts_at = 0.8, timezone.now() - timezone.timedelta(days=1)
    boosted.save_revision().publish()
    popular, rare = [m.slug for m in ModulePage.objects.live().exclude(pk=boosted.pk).order_by("-path")[:2]]
    merchants_take_up(popular, sector, 5)
    merchants_take_up(rare, sector, 4)  # under the threshold: never reported as popular in the sector

    response = api_client.get(START, {"sector": "artisanat-bouche", "limit": 12})
    assert response.status_code == 200
    assert "public" in response["Cache-Control"] and response["ETag"]
    body = response.json()
    assert body["sector"]["slug"] == "artisanat-bouche"
    reasons = [(r["module"]["slug"], r["reason"]["code"]) for r in body["results"]]
    assert (boosted.slug, "editorial") in reasons
    codes = [code for _, code in reasons]
    assert codes == sorted(codes, key=["editorial", "popular_in_sector", "popular", "first_steps"].index)
    assert (popular, "popular_in_sector") in reasons
    assert (rare, "popular_in_sector") not in reasons
    assert len(reasons) == 12 and len({slug for slug, _ in reasons}) == 12
    for item in body["results"]:  # every module suits the sector
        sectors = [s["slug"] for s in item["module"]["sectors"]]
        assert not sectors or "artisanat-bouche" in sectors


def test_an_unknown_sector_is_a_400_naming_the_field(api_client):
    response = api_client.get(START, {"sector": "boucherie-chevaline"})
    assert response.status_code == 400 and "sector" in response.json()["error"]["fields"]


def test_without_a_sector_it_still_answers(api_client):
    body = api_client.get(START).json()
    assert body["sector"] is None and len(body["results"]) == 6
