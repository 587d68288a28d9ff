"""Per-merchant quotas: one account cannot flood the staff's help queue, the event store or the editors'
click-through figures, whatever its devices; beyond a quota, 429 `quota_exceeded` with Retry-After."""

import uuid

import pytest

from cms.models import ModulePage
from merchants.models import EngagementEvent
from missions.models import Mission
from recommender.models import Impression

pytestmark = pytest.mark.django_db


@pytest.fixture
def quotas(settings):
    settings.MERCHANT_QUOTAS = {"help_requests": "3/hour", "events": "50/hour", "recommendations": "4/minute"}


def assert_quota_exceeded(response):
    assert response.status_code == 429, response.content[:300]
    error = response.json()["error"]
    assert error["code"] == "quota_exceeded" and "Réessayez" in error["message"]
    assert 0 < int(response["Retry-After"]) <= 3601


def test_help_requests_are_limited_per_merchant(quotas, merchant, other_merchant):
    body = {
        "module": ModulePage.objects.live().first().slug,
        "message": "Pouvez-vous m'aider ?",
        "contact_name": "Martin",
        "contact_phone": "0491000000",
    }
    statuses = [merchant.client.post("/api/v1/me/help-requests/", body, format="json").status_code for _ in range(3)]
    assert statuses == [201, 201, 201]
    assert_quota_exceeded(merchant.client.post("/api/v1/me/help-requests/", body, format="json"))
    assert Mission.objects.filter(merchant=merchant.profile).count() == 3  # the refused one was not stored
    assert merchant.client.get("/api/v1/me/help-requests/").status_code == 200  # reading is not counted
    assert other_merchant.client.post("/api/v1/me/help-requests/", body, format="json").status_code == 201


def test_events_are_counted_one_by_one_even_in_batches(quotas, merchant):
    slug = ModulePage.objects.live().first().slug

    def batch(n):
        return [{"event_id": str(uuid.uuid4()), "module": slug, "kind": "viewed"} for _ in range(n)]

    assert merchant.client.post("/api/v1/me/events/", batch(40), format="json").status_code == 200
    assert_quota_exceeded(merchant.client.post("/api/v1/me/events/", batch(20), format="json"))
    assert merchant.client.post("/api/v1/me/events/", batch(10), format="json").status_code == 200  # exactly 50
    assert_quota_exceeded(merchant.client.post("/api/v1/me/events/", batch(1)[0], format="json"))
    assert EngagementEvent.objects.filter(merchant=merchant.profile).count() == 50


def test_reloading_recommendations_logs_impressions_once_and_reads_are_limited(quotas, merchant):
    first = merchant.client.get("/api/v1/me/recommendations/?limit=5").json()
    logged = Impression.objects.filter(merchant=merchant.profile).count()
    assert logged == len(first["results"]) > 0
    for _ in range(3):
        again = merchant.client.get("/api/v1/me/recommendations/?limit=5")
        assert again.status_code == 200
        if [r["module"]["slug"] for r in again.json()["results"]] == [r["module"]["slug"] for r in first["results"]]:
            assert again.json()["recommendation_id"] == first["recommendation_id"]
    # the same ranking shown again writes nothing; only a different ranking (exploration) may add a response
    assert Impression.objects.filter(merchant=merchant.profile).values("recommendation_id").distinct().count() <= 2
    assert_quota_exceeded(merchant.client.get("/api/v1/me/recommendations/?limit=5"))


def test_the_schema_documents_the_quota_answers(api_client):
    schema = api_client.get("/api/v1/schema/?format=json").json()
    for path, method in [
        ("/api/v1/me/help-requests/", "post"),
        ("/api/v1/me/events/", "post"),
        ("/api/v1/me/recommendations/", "get"),
    ]:
        assert "429" in schema["paths"][path][method]["responses"], path
