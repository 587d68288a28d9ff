"""A ticked step can be unticked, "Pas pour moi" can be undone, and a completed module is no longer kept for later."""

import pytest

from tests.merchants.test_progress import PROGRESS, send

pytestmark = pytest.mark.django_db
SLUG = "creer-sa-fiche-google"


def started(merchant):
    return {s["module"]["slug"]: s for s in merchant.client.get(PROGRESS).json()["started_modules"]}


def test_a_step_unticked_after_being_ticked_is_no_longer_done(merchant):
    send(
        merchant,
        (SLUG, "started", None),
        (SLUG, "step_completed", 0),
        (SLUG, "step_completed", 1),
        (SLUG, "step_uncompleted", 0),
    )
    assert started(merchant)[SLUG]["steps_completed"] == [1]
    assert started(merchant)[SLUG]["next_step"]["index"] == 0


def test_an_untick_needs_a_valid_step_index(merchant):
    response = merchant.client.post(
        "/api/v1/me/events/",
        {"event_id": "6f1c1c2e-8f8e-4a53-9d7e-1b2a3c4d5e6f", "module": SLUG, "kind": "step_uncompleted"},
        format="json",
    )
    assert response.status_code == 400 and "value" in response.json()["error"]["fields"]


def test_undoing_pas_pour_moi_brings_the_module_back_to_the_recommendations(merchant):
    def recommended():
        answer = merchant.client.get("/api/v1/me/recommendations/?limit=20").json()
        return [r["module"]["slug"] for r in answer["results"]]

    assert SLUG in recommended()
    send(merchant, (SLUG, "dismissed", None))
    assert SLUG not in recommended()
    merchant.client.post(
        "/api/v1/me/events/",
        {"event_id": "0d5e4a8c-1b7f-4c0e-9a52-7f3e2b1c9d40", "module": SLUG, "kind": "undismissed"},
        format="json",
    )
    assert SLUG in recommended()


def test_a_completed_module_leaves_kept_for_later(merchant):
    send(merchant, (SLUG, "bookmarked", None))
    assert [m["slug"] for m in merchant.client.get(PROGRESS).json()["bookmarks"]] == [SLUG]
    merchant.client.post(
        "/api/v1/me/events/",
        {"event_id": "7a4f0c1e-2d3b-4e5f-8a9b-0c1d2e3f4a5b", "module": SLUG, "kind": "completed"},
        format="json",
    )
    assert merchant.client.get(PROGRESS).json()["bookmarks"] == []
