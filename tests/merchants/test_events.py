"""Engagement events: one or a batch, each stored exactly once whatever the retries, bad ones reported one by one."""

import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone
from rest_framework.test import APIClient

from cms.models import ModulePage
from merchants.models import EngagementEvent
from merchants.services import step_count

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/me/events/"
MODULE = "lancer-le-click-and-collect"


def event(kind="viewed", module=MODULE, **fields):
    return {"event_id": str(uuid.uuid4()), "module": module, "kind": kind, **fields}


def stored(merchant):
    return EngagementEvent.objects.filter(merchant=merchant.profile)


def test_a_single_event_is_created_then_acknowledged_as_duplicate(merchant):
    payload = event("started", occurred_at="2026-01-15T09:30:00+01:00", recommendation_id=str(uuid.uuid4()))
    first = merchant.client.post(EVENTS, payload, format="json")
    assert first.status_code == 201 and first.json() == {"event_id": payload["event_id"], "status": "created"}
    again = merchant.client.post(EVENTS, payload, format="json")
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    row = stored(merchant).get()
    assert row.module.slug == MODULE and row.module_slug == MODULE and row.kind == "started"
    assert row.occurred_at.isoformat() == "2026-01-15T08:30:00+00:00"
    assert str(row.recommendation_id) == payload["recommendation_id"]


def test_an_event_without_time_gets_the_server_time_and_its_retry_is_still_a_duplicate(merchant):
    payload = event()
    before = timezone.now()
    assert merchant.client.post(EVENTS, payload, format="json").status_code == 201
    assert before <= stored(merchant).get().occurred_at <= timezone.now()
    assert merchant.client.post(EVENTS, payload, format="json").status_code == 200


def test_the_same_event_id_with_another_payload_is_a_409(merchant):
    payload = event("rated", value=4)
    merchant.client.post(EVENTS, payload, format="json")
    response = merchant.client.post(EVENTS, {**payload, "value": 2}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict" and "event_id" in response.json()["error"]["fields"]
    assert stored(merchant).get().value == 4


def test_event_ids_belong_to_each_merchant(merchant, other_merchant):
    payload = event()
    assert merchant.client.post(EVENTS, payload, format="json").status_code == 201
    assert other_merchant.client.post(EVENTS, {**payload, "kind": "started"}, format="json").status_code == 201
    assert EngagementEvent.objects.filter(event_id=payload["event_id"]).count() == 2


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "rated"}, "value"),
        ({"kind": "rated", "value": 6}, "value"),
        ({"kind": "rated", "value": 0}, "value"),
        ({"kind": "step_completed"}, "value"),
        ({"kind": "step_completed", "value": 99}, "value"),
        ({"kind": "step_completed", "value": -1}, "value"),
        ({"kind": "viewed", "value": 3}, "value"),
        ({"kind": "liked"}, "kind"),
        ({"module": "n-existe-pas"}, "module"),
        ({"event_id": "pas-un-uuid"}, "event_id"),
        ({"recommendation_id": "pas-un-uuid"}, "recommendation_id"),
        ({"occurred_at": "hier"}, "occurred_at"),
        ({"occurred_at": (timezone.now() + timedelta(minutes=30)).isoformat()}, "occurred_at"),
        ({"occurred_at": (timezone.now() - timedelta(days=400)).isoformat()}, "occurred_at"),
    ],
)
def test_an_invalid_single_event_is_a_400_naming_the_field(merchant, payload, field):
    response = merchant.client.post(EVENTS, {**event(), **payload}, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not stored(merchant).exists()


def test_a_little_clock_skew_is_tolerated(merchant):
    payload = event(occurred_at=(timezone.now() + timedelta(minutes=2)).isoformat())
    assert merchant.client.post(EVENTS, payload, format="json").status_code == 201


def test_events_on_unpublished_modules_are_refused(merchant):
    ModulePage.objects.get(slug="rgpd-les-bases").unpublish()
    response = merchant.client.post(EVENTS, event(module="rgpd-les-bases"), format="json")
    assert response.status_code == 400 and "module" in response.json()["error"]["fields"]


def test_a_batch_stores_exactly_the_good_events_and_reports_each_bad_one(merchant):
    steps = step_count(ModulePage.objects.get(slug=MODULE))
    good = [
        event("viewed"),
        event("step_completed", value=steps - 1),
        event("rated", value=5),
        event("bookmarked", module="creer-sa-fiche-google"),
        event("dismissed", module="plateformes-de-livraison-restaurant"),
    ]
    bad = [
        event("rated", value=9),
        event("step_completed", value=steps),
        event(module="n-existe-pas"),
        event(occurred_at=(timezone.now() + timedelta(days=3)).isoformat()),
        {"module": MODULE, "kind": "viewed"},  # no event_id
        "pas un objet",
    ]
    batch = [good[0], bad[0], good[1], bad[1], bad[2], good[2], bad[3], good[3], bad[4], good[4], bad[5]]
    response = merchant.client.post(EVENTS, batch, format="json")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["status"] for r in results] == [
        "created", "invalid", "created", "invalid", "invalid", "created", "invalid", "created", "invalid", "created",
        "invalid",
    ]  # fmt: skip
    assert results[1]["event_id"] == bad[0]["event_id"] and "value" in results[1]["errors"]
    assert "value" in results[3]["errors"] and "module" in results[4]["errors"]
    assert "occurred_at" in results[6]["errors"] and "event_id" in results[8]["errors"]
    assert results[8]["event_id"] is None and results[10]["event_id"] is None
    assert all("errors" not in r for r in results if r["status"] == "created")
    assert set(map(str, stored(merchant).values_list("event_id", flat=True))) == {e["event_id"] for e in good}

    # the same batch again: nothing new, every good one acknowledged as duplicate
    again = merchant.client.post(EVENTS, batch, format="json").json()["results"]
    assert [r["status"] for r in again if r["status"] != "invalid"] == ["duplicate"] * len(good)
    assert stored(merchant).count() == len(good)


def test_a_batch_with_a_repeated_or_reused_id_classifies_each_item(merchant):
    first = event("viewed")
    merchant.client.post(EVENTS, first, format="json")
    repeated = event("started")
    batch = [repeated, repeated, {**first, "kind": "completed"}, {**repeated, "kind": "dismissed"}]
    results = merchant.client.post(EVENTS, batch, format="json").json()["results"]
    assert [r["status"] for r in results] == ["created", "duplicate", "conflict", "conflict"]
    assert stored(merchant).count() == 2


@pytest.mark.parametrize("body", [[], "texte", 42])
def test_an_empty_or_malformed_batch_is_a_400(merchant, body):
    response = merchant.client.post(EVENTS, body, format="json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid"


def test_a_batch_holds_at_most_500_events(merchant):
    response = merchant.client.post(EVENTS, [event() for _ in range(501)], format="json")
    assert response.status_code == 400 and "500" in response.json()["error"]["message"]
    full = merchant.client.post(EVENTS, [event() for _ in range(500)], format="json")
    assert full.status_code == 200 and stored(merchant).count() == 500


def test_completing_a_module_adds_the_capabilities_it_builds(merchant):
    module = ModulePage.objects.get(slug=MODULE)
    built = set(module.capabilities_built.values_list("slug", flat=True))
    assert built and not built & set(merchant.profile.capabilities.values_list("slug", flat=True))
    merchant.client.post(EVENTS, [event("started"), event("completed")], format="json")
    assert built <= set(merchant.profile.capabilities.values_list("slug", flat=True))
    assert built <= set(merchant.client.get("/api/v1/me/profile/").json()["capabilities"])


def test_a_refused_completion_adds_no_capability(merchant):
    merchant.client.post(EVENTS, event("completed", occurred_at="2019-01-01T00:00:00Z"), format="json")
    assert not merchant.profile.capabilities.exists()


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no concurrent writers; CI runs it on PG")
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("committed_catalogue")
def test_the_same_batch_posted_concurrently_is_stored_exactly_once(make_merchant):
    merchant = make_merchant()
    batch = [event("viewed"), event("started"), event("step_completed", value=0), event("completed")]
    batch += [event("viewed", module="creer-sa-fiche-google") for _ in range(40)]
    barrier, statuses, errors = threading.Barrier(8), [], []

    def post():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {merchant.tokens.access}")
        try:
            barrier.wait()
            response = client.post(EVENTS, batch, format="json")
            statuses.append((response.status_code, [r["status"] for r in response.json()["results"]]))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    assert all(code == 200 for code, _ in statuses) and len(statuses) == 8
    assert all(set(outcomes) <= {"created", "duplicate"} for _, outcomes in statuses)
    rows = EngagementEvent.objects.filter(merchant=merchant.profile)
    assert rows.count() == len(batch)
    assert sorted(map(str, rows.values_list("event_id", flat=True))) == sorted(e["event_id"] for e in batch)
    assert merchant.profile.capabilities.filter(slug="click-collect").exists()
