"""Progress: per theme, bookmarks, and the next unfinished step of each started module."""

import uuid

import pytest

from cms.models import ModulePage, Theme
from merchants.services import step_count

pytestmark = pytest.mark.django_db

PROGRESS, EVENTS = "/api/v1/me/progress/", "/api/v1/me/events/"


def send(merchant, *events):
    batch = [
        {"event_id": str(uuid.uuid4()), "module": module, "kind": kind, "occurred_at": f"2026-02-0{day}T10:00:00Z"}
        | ({"value": value} if value is not None else {})
        for day, (module, kind, value) in enumerate(events, start=1)
    ]
    results = merchant.client.post(EVENTS, batch, format="json").json()["results"]
    assert all(result["status"] == "created" for result in results), results


def test_a_new_merchant_has_an_empty_progress_in_every_theme(merchant):
    response = merchant.client.get(PROGRESS)
    assert response.status_code == 200
    body = response.json()
    assert [t["theme"]["slug"] for t in body["themes"]] == list(
        Theme.objects.order_by("sort_order", "name").values_list("slug", flat=True)
    )
    assert all(t["modules_completed"] == [] and t["modules_in_progress"] == [] for t in body["themes"])
    assert all(t["modules_total"] > 0 and t["diagnostic_score"] is None for t in body["themes"])
    assert body["last_diagnostic"] is None and body["bookmarks"] == [] and body["started_modules"] == []
    assert body["ratings"] == {}


def test_progress_follows_the_events_in_the_order_they_happened(merchant):
    click = ModulePage.objects.get(slug="lancer-le-click-and-collect")
    send(
        merchant,
        ("lancer-le-click-and-collect", "started", None),
        ("lancer-le-click-and-collect", "step_completed", 0),
        ("lancer-le-click-and-collect", "step_completed", 2),
        ("creer-sa-fiche-google", "started", None),
        ("creer-sa-fiche-google", "completed", None),
        ("rgpd-les-bases", "bookmarked", None),
        ("securiser-ses-mots-de-passe", "bookmarked", None),
        ("securiser-ses-mots-de-passe", "unbookmarked", None),
    )
    body = merchant.client.get(PROGRESS).json()
    themes = {t["theme"]["slug"]: t for t in body["themes"]}
    assert [m["slug"] for m in themes["vendre-en-ligne"]["modules_in_progress"]] == ["lancer-le-click-and-collect"]
    assert [m["slug"] for m in themes["etre-visible"]["modules_completed"]] == ["creer-sa-fiche-google"]
    assert "fiche-etablissement" in themes["etre-visible"]["capabilities_covered"]
    assert themes["etre-visible"]["capabilities_total"] >= len(themes["etre-visible"]["capabilities_covered"])
    assert [m["slug"] for m in body["bookmarks"]] == ["rgpd-les-bases"]

    [started] = body["started_modules"]
    assert started["module"] == {"slug": click.slug, "title": click.title, "theme": "vendre-en-ligne"}
    assert started["steps_total"] == step_count(click) and started["steps_completed"] == [0, 2]
    first_missing = next(block for i, block in enumerate(b for b in click.body if b.block_type == "step") if i == 1)
    assert started["next_step"] == {"index": 1, "title": first_missing.value["title"]}
    assert started["last_activity_at"].startswith("2026-02-03")


def test_late_events_from_an_offline_queue_are_replayed_by_their_time(merchant):
    # the unbookmark happened last but arrives first
    send(merchant, ("rgpd-les-bases", "bookmarked", None))
    late = {
        "event_id": str(uuid.uuid4()),
        "module": "rgpd-les-bases",
        "kind": "unbookmarked",
        "occurred_at": "2026-02-05T10:00:00Z",
    }
    early = {
        "event_id": str(uuid.uuid4()),
        "module": "rgpd-les-bases",
        "kind": "bookmarked",
        "occurred_at": "2026-01-20T10:00:00Z",
    }
    merchant.client.post(EVENTS, [late, early], format="json")
    assert merchant.client.get(PROGRESS).json()["bookmarks"] == []


def test_a_completed_module_has_no_next_step_and_leaves_the_started_list(merchant):
    send(
        merchant,
        ("lancer-le-click-and-collect", "started", None),
        ("lancer-le-click-and-collect", "completed", None),
    )
    body = merchant.client.get(PROGRESS).json()
    assert body["started_modules"] == []
    themes = {t["theme"]["slug"]: t for t in body["themes"]}
    assert "click-collect" in themes["vendre-en-ligne"]["capabilities_covered"]


def test_a_rating_is_kept_and_the_latest_one_counts(merchant):
    send(
        merchant,
        ("creer-sa-fiche-google", "completed", None),
        ("creer-sa-fiche-google", "rated", 2),
        ("creer-sa-fiche-google", "rated", 4),
    )

    body = merchant.client.get(PROGRESS).json()

    assert body["ratings"] == {"creer-sa-fiche-google": 4}
