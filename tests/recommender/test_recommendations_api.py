"""GET /api/v1/me/recommendations/: ranked modules from the active model, the rules after scoring, consent,
impressions, and what happens without a usable model."""

import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cms.models import Level, ModulePage, Theme
from merchants import services as merchant_services
from recommender import artifacts, selectors, services
from recommender.models import Impression, ModelVersion
from tests.factories import module_like

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("trained_model")]


def slugs(response):
    return [result["module"]["slug"] for result in response.json()["results"]]


def scores(response):
    return {result["module"]["slug"]: result["score"] for result in response.json()["results"]}


def test_the_active_model_ranks_modules_with_reasons_and_is_never_cached(make_merchant, trained_model):
    merchant = make_merchant()
    response = merchant.recommendations(limit=5)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    body = response.json()
    assert body["strategy"] == "hybrid" and body["model_version"]["id"] == trained_model.pk
    assert body["personalised"] is True and body["notice"] is None
    assert uuid.UUID(body["recommendation_id"])
    assert [r["rank"] for r in body["results"]] == [1, 2, 3, 4, 5]
    assert len(set(slugs(response))) == 5
    for result in body["results"]:
        assert result["reasons"] and all(reason["text"] for reason in result["reasons"])
        assert {"slug", "title", "summary", "theme", "level", "url"} <= set(result["module"])


def test_limit_and_theme_are_validated_with_the_one_error_shape(make_merchant):
    merchant = make_merchant()
    for limit in (0, 21, "beaucoup"):
        response = merchant.recommendations(limit=limit)
        assert response.status_code == 400 and "limit" in response.json()["error"]["fields"]
    response = merchant.recommendations(theme="inconnu")
    assert response.status_code == 400
    assert "vendre-en-ligne" in response.json()["error"]["fields"]["theme"][0]
    response = merchant.recommendations(theme="vendre-en-ligne", limit=20)
    assert response.status_code == 200 and response.json()["results"]
    assert {r["module"]["theme"]["slug"] for r in response.json()["results"]} == {"vendre-en-ligne"}


def test_anonymous_callers_and_editors_are_refused(api_client, django_user_model):
    assert api_client.get("/api/v1/me/recommendations/").status_code == 401


def test_completed_and_dismissed_modules_are_never_recommended(make_merchant, no_exploration):
    merchant = make_merchant()
    first, second = slugs(merchant.recommendations(limit=5))[:2]
    merchant.post_event(first, "completed")
    merchant.post_event(second, "dismissed")
    after = slugs(merchant.recommendations(limit=20))
    assert first not in after and second not in after


def test_a_completed_module_disappears_from_the_very_next_call(make_merchant):
    merchant = make_merchant()
    top = slugs(merchant.recommendations(limit=5))[0]
    merchant.post_event(top, "completed")
    assert top not in slugs(merchant.recommendations(limit=5))


def test_fresh_history_changes_the_scores_at_once(make_merchant, no_exploration):
    merchant = make_merchant()
    before = scores(merchant.recommendations(limit=20))
    for module in ("creer-sa-fiche-google", "repondre-aux-avis-clients", "lancer-le-click-and-collect"):
        merchant.post_event(module, "started")
    after = scores(merchant.recommendations(limit=20))
    common = set(before) & set(after)
    assert common and any(abs(before[s] - after[s]) > 1e-6 for s in common)


def test_without_consent_no_history_is_used_and_the_answer_says_so(make_merchant, no_exploration):
    withdrawn = make_merchant(consent=True)
    for module in ("creer-sa-fiche-google", "repondre-aux-avis-clients"):
        withdrawn.post_event(module, "started")
    personalised = scores(withdrawn.recommendations(limit=10))
    merchant_services.update_profile(merchant=withdrawn.profile, personalisation_consent=False)
    twin = make_merchant(consent=True)  # same profile, no history at all

    response = withdrawn.recommendations(limit=10)
    body = response.json()
    assert body["personalised"] is False and "personnalisation" in body["notice"]
    assert scores(response) == scores(twin.recommendations(limit=10))
    assert scores(response) != personalised


def test_prerequisites_come_after_the_modules_that_build_them_or_are_flagged(make_merchant, no_exploration):
    merchant = make_merchant(capabilities=())
    results = merchant.recommendations(limit=20).json()["results"]
    rank_of = {r["module"]["slug"]: r["rank"] for r in results}
    flagged = [r for r in results if r["missing_prerequisites"]]
    assert flagged, "a merchant with no capability should meet modules with prerequisites"
    for result in flagged:
        assert result["prepare_with"], "someone builds every capability of the catalogue"
        for module in result["prepare_with"]:
            if module["slug"] in rank_of:
                assert rank_of[module["slug"]] < result["rank"]


def _publish(module, **fields):
    for name, value in fields.items():
        setattr(module, name, value)
    module.save_revision().publish()
    return ModulePage.objects.get(pk=module.pk)


def test_an_active_boost_lifts_a_module_and_an_expired_one_does_not(make_merchant, no_exploration):
    merchant = make_merchant()
    baseline = merchant.recommendations(theme="se-proteger", limit=20)
    last = baseline.json()["results"][-1]["module"]["slug"]
    module = ModulePage.objects.get(slug=last).specific
    now = timezone.now()

    _publish(module, boost_weight=1.0, boost_starts_at=now - timedelta(days=1), boost_ends_at=now + timedelta(days=1))
    boosted = merchant.recommendations(theme="se-proteger", limit=20)
    entry = next(r for r in boosted.json()["results"] if r["module"]["slug"] == last)
    assert entry["score"] == pytest.approx(scores(baseline)[last] + 1.0, abs=1e-4)
    assert entry["rank"] < baseline.json()["results"][-1]["rank"] or len(boosted.json()["results"]) == 1
    assert any(reason["code"] == "editorial" for reason in entry["reasons"])

    _publish(module, boost_starts_at=now - timedelta(days=10), boost_ends_at=now - timedelta(days=5))
    expired = merchant.recommendations(theme="se-proteger", limit=20)
    assert scores(expired)[last] == pytest.approx(scores(baseline)[last], abs=1e-4)


def test_a_module_published_after_training_is_ranked_from_its_features(make_merchant, no_exploration):
    module_like(
        "lancer-le-click-and-collect",
        slug="vendre-sur-les-reseaux-sociaux",
        title="Vendre sur les réseaux sociaux",
        summary="Un module publié après l'entraînement.",
        publish=True,
    )

    merchant = make_merchant()
    response = merchant.recommendations(theme="vendre-en-ligne", limit=20)
    assert response.status_code == 200 and response.json()["strategy"] == "hybrid"
    entry = next(r for r in response.json()["results"] if r["module"]["slug"] == "vendre-sur-les-reseaux-sociaux")
    assert any(reason["code"] == "new" for reason in entry["reasons"])


def test_impressions_are_logged_in_one_insert_and_give_click_through(make_merchant, trained_model):
    merchant = make_merchant()
    with CaptureQueriesContext(connection) as queries:
        response = merchant.recommendations(limit=5)
    inserts = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "recommender_impression"')
    ]
    assert len(inserts) == 1
    body = response.json()
    logged = Impression.objects.filter(recommendation_id=body["recommendation_id"])
    assert logged.count() == 5 and {i.model_version_id for i in logged} == {trained_model.pk}
    assert sorted(logged.values_list("rank", flat=True)) == [1, 2, 3, 4, 5]

    clicked = body["results"][0]["module"]["slug"]
    merchant.post_event(clicked, "started", recommendation_id=body["recommendation_id"])
    module_id = ModulePage.objects.get(slug=clicked).pk
    outcome = selectors.impression_outcomes("module_id")[module_id]
    assert outcome["clicks"] == 1 and outcome["rec_starts"] == 1 and outcome["rec_completions"] == 0
    by_version = selectors.impression_outcomes("model_version_id")[trained_model.pk]
    assert by_version["impressions"] == 5 and by_version["clicks"] == 1


def test_erasing_a_merchant_keeps_their_impressions_anonymous(make_merchant):
    merchant = make_merchant()
    recommendation_id = merchant.recommendations(limit=3).json()["recommendation_id"]
    shown = list(Impression.objects.filter(recommendation_id=recommendation_id).values_list("pk", flat=True))
    merchant_services.erase_merchant(merchant=merchant.profile)
    logged = Impression.objects.filter(pk__in=shown)
    assert logged.count() == 3 and not logged.filter(merchant__isnull=False).exists()
    # the id the merchant was given (and may have kept) no longer leads to them; one response stays one
    assert not logged.filter(recommendation_id=recommendation_id).exists()
    assert logged.values("recommendation_id").distinct().count() == 1


# --- Fallbacks and versions --------------------------------------------------------------------


def _copy_version(source: ModelVersion, *, payload: bytes | None = None) -> ModelVersion:
    """A new version whose artifact is a copy of `source`'s (or `payload`), recorded with `source`'s checksum."""
    with default_storage.open(source.artifact_name, "rb") as handle:
        original = handle.read()
    name = default_storage.save("recommender/models/copy.joblib", ContentFile(payload or original))
    return ModelVersion.objects.create(
        algorithm=source.algorithm,
        metrics=source.metrics,
        artifact_name=name,
        artifact_sha256=source.artifact_sha256,
        status=ModelVersion.Status.CANDIDATE,
    )


def test_without_any_model_the_answer_falls_back_and_readyz_says_why(make_merchant, api_client):
    ModelVersion.objects.all().delete()
    merchant = make_merchant()
    response = merchant.recommendations(limit=5)
    assert response.status_code == 200
    body = response.json()
    assert body["strategy"].startswith("fallback") and body["model_version"] is None
    assert len(body["results"]) == 5
    ready = api_client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["recommender"] == {
        "ok": True,
        "degraded": True,
        "strategy": "fallback-popularity",
        "fallback_reason": "no-active-model",
    }


def test_a_corrupt_artifact_falls_back_and_readyz_reports_it(make_merchant, api_client, trained_model):
    corrupt = _copy_version(trained_model, payload=b"not a model at all")
    services.activate_version(version=corrupt)
    response = make_merchant().recommendations(limit=5)
    assert response.status_code == 200
    assert response.json()["strategy"] == "fallback-popularity" and response.json()["model_version"] is None
    assert len(response.json()["results"]) == 5
    recommender = api_client.get("/readyz").json()["checks"]["recommender"]
    assert recommender["degraded"] and recommender["fallback_reason"] == "checksum-mismatch"
    assert recommender["active_version"] == corrupt.pk


def test_a_missing_artifact_falls_back(make_merchant, trained_model):
    missing = _copy_version(trained_model)
    default_storage.delete(missing.artifact_name)
    services.activate_version(version=missing)
    response = make_merchant().recommendations(limit=5)
    assert response.status_code == 200 and response.json()["strategy"] == "fallback-popularity"


def _advance_clock(monkeypatch, seconds: float) -> None:
    """`time.monotonic()` as it will read `seconds` from now (still increasing: nothing else is disturbed)."""
    real = time.monotonic
    monkeypatch.setattr(time, "monotonic", lambda: real() + seconds)


def test_a_missing_artifact_is_tried_again_after_the_back_off(make_merchant, trained_model, monkeypatch, settings):
    settings.RECOMMENDER = {**settings.RECOMMENDER, "ARTIFACT_RETRY_SECONDS": 30}
    version = services.activate_version(version=_copy_version(trained_model))
    path = Path(default_storage.path(version.artifact_name))
    away = path.with_name(path.name + ".away")
    path.rename(away)  # the shared storage is unavailable for a moment
    merchant = make_merchant()
    body = merchant.recommendations().json()
    assert body["strategy"] == "fallback-popularity" and body["model_version"] is None

    away.rename(path)  # the storage is back
    _advance_clock(monkeypatch, 10)
    assert merchant.recommendations().json()["strategy"] == "fallback-popularity"  # not before the back-off
    _advance_clock(monkeypatch, 31)
    body = merchant.recommendations().json()  # same process, nothing reset
    assert body["strategy"] == "hybrid" and body["model_version"]["id"] == version.pk


def test_a_corrupt_artifact_is_not_read_again(make_merchant, trained_model, monkeypatch):
    services.activate_version(version=_copy_version(trained_model, payload=b"not a model at all"))
    reads = []
    load = artifacts.load
    monkeypatch.setattr(artifacts, "load", lambda name, **kwargs: reads.append(name) or load(name, **kwargs))
    merchant = make_merchant()
    assert merchant.recommendations().json()["strategy"] == "fallback-popularity"
    _advance_clock(monkeypatch, 3600)
    assert merchant.recommendations().json()["strategy"] == "fallback-popularity"
    assert len(reads) == 1  # a checksum mismatch does not heal: the file is not read on every request


def test_renaming_a_theme_or_a_level_is_seen_at_the_next_request(make_merchant, no_exploration):
    merchant = make_merchant()
    assert merchant.recommendations(theme="vendre-en-ligne").json()["results"]  # the catalogue is now cached
    theme = Theme.objects.get(slug="vendre-en-ligne")
    theme.slug, theme.name = "vente-en-ligne", "Vente en ligne"
    theme.save()
    results = merchant.recommendations(theme="vente-en-ligne", limit=20).json()["results"]
    assert results and {r["module"]["theme"]["slug"] for r in results} == {"vente-en-ligne"}
    assert {r["module"]["theme"]["name"] for r in results} == {"Vente en ligne"}

    level = Level.objects.get(slug=results[0]["module"]["level"]["slug"])
    level.name = "Niveau renommé"
    level.save()
    results = merchant.recommendations(theme="vente-en-ligne", limit=20).json()["results"]
    assert "Niveau renommé" in {r["module"]["level"]["name"] for r in results}


def test_a_newly_activated_version_is_served_without_a_restart(make_merchant, trained_model):
    merchant = make_merchant()
    assert merchant.recommendations().json()["model_version"]["id"] == trained_model.pk
    newer = _copy_version(trained_model)
    services.activate_version(version=newer)  # another process did this: nothing here was told
    assert merchant.recommendations().json()["model_version"]["id"] == newer.pk
    trained_model.refresh_from_db()
    assert trained_model.status == ModelVersion.Status.RETIRED
    assert ModelVersion.objects.filter(status=ModelVersion.Status.ACTIVE).count() == 1
