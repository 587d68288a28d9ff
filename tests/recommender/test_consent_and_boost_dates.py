"""Two rules a mutation probe found untested: training never reads the events of merchants who did not
consent to personalisation, and an editorial boost stops applying once its end date has passed."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from cms.models import ModulePage
from merchants import services as merchant_services
from merchants.models import MerchantProfile
from merchants.services import EventInput
from recommender import serving, training

pytestmark = pytest.mark.django_db

PASSWORD = "Calanques-de-Sormiou-2026"


def merchant_with_events(email: str, *, consent: bool, modules) -> MerchantProfile:
    merchant_services.register_merchant(email=email, password=PASSWORD, personalisation_consent=consent)
    merchant = MerchantProfile.objects.get(user__username=email)
    events = [
        EventInput(event_id=uuid.uuid4(), module=m.slug, kind=kind) for m in modules for kind in ("viewed", "completed")
    ]
    outcomes = merchant_services.record_events(merchant=merchant, events=events)
    assert {outcome.status for outcome in outcomes} == {"created"}
    return merchant


def test_training_reads_only_the_events_of_consenting_merchants():
    modules = list(ModulePage.objects.live().order_by("pk")[:6])
    consenting = [merchant_with_events(f"oui{i}@exemple.fr", consent=True, modules=modules[:3]) for i in range(2)]
    refusing = merchant_with_events("non@exemple.fr", consent=False, modules=modules[3:])

    data = training.load_training_data(min_merchants=1, min_events=1)

    # (other consenting merchants, e.g. the package's demo population, may be there too)
    assert {m.pk for m in consenting} <= set(data.merchant_ids)
    assert refusing.pk not in data.merchant_ids
    before = data.counts["events"]

    # withdrawing consent removes a merchant's history from the next training
    merchant_services.update_profile(merchant=consenting[0], personalisation_consent=False)
    after = training.load_training_data(min_merchants=1, min_events=1)
    assert consenting[0].pk not in after.merchant_ids and consenting[1].pk in after.merchant_ids
    assert after.counts["events"] == before - 3 * 2  # three modules × two events, and nothing of the refusing one


@pytest.fixture
def signed_in_client(settings):
    settings.RECOMMENDER = {**settings.RECOMMENDER, "EXPLORATION_EPSILON": 0.0}
    tokens = merchant_services.register_merchant(email="vitrine@exemple.fr", password=PASSWORD)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens.access}")
    return client


def ranked_with_reasons(client) -> dict[str, list[str]]:
    serving.reset_process_cache()  # a fresh worker: reads the modules' boost dates as they are now
    body = client.get("/api/v1/me/recommendations/", {"limit": 10}).json()
    return {item["module"]["slug"]: [reason["code"] for reason in item["reasons"]] for item in body["results"]}


def test_an_editorial_boost_applies_between_its_dates_only(signed_in_client, settings):
    settings.RECOMMENDATION_IMPRESSION_DEDUP_SECONDS = 0
    module = ModulePage.objects.live().order_by("-pk").first()
    now = timezone.now()
    ModulePage.objects.filter(pk=module.pk).update(
        boost_weight=50.0, boost_starts_at=now - timedelta(days=7), boost_ends_at=now + timedelta(days=1)
    )
    in_force = ranked_with_reasons(signed_in_client)
    assert next(iter(in_force)) == module.slug and "editorial" in in_force[module.slug]

    ModulePage.objects.filter(pk=module.pk).update(boost_ends_at=now - timedelta(minutes=1))
    ended = ranked_with_reasons(signed_in_client)
    assert next(iter(ended)) != module.slug
    assert "editorial" not in ended.get(module.slug, [])

    ModulePage.objects.filter(pk=module.pk).update(
        boost_starts_at=now + timedelta(days=1), boost_ends_at=now + timedelta(days=8)
    )
    not_yet = ranked_with_reasons(signed_in_client)
    assert "editorial" not in not_yet.get(module.slug, []) and next(iter(not_yet)) != module.slug
