"""train_recommender (gate, too little data, taxonomy additions), evaluate_recommender, seeding, and the
editors' report in the Wagtail admin."""

import pytest
from django.core.management import CommandError, call_command

from cms.models import Capability, Sector
from merchants.models import EngagementEvent
from recommender import services
from recommender.models import ModelVersion

pytestmark = pytest.mark.django_db


def test_training_on_seeded_data_stores_an_active_version_with_its_evidence(trained_model):
    version = ModelVersion.objects.get(status=ModelVersion.Status.ACTIVE)
    assert version == trained_model and version.algorithm == "hybrid"
    assert len(version.artifact_sha256) == 64 and version.artifact_size > 0
    assert version.data_counts["merchants"] == 150 and version.data_counts["modules"] >= 46
    warm = version.metrics["warm"]
    assert warm["hybrid"]["ndcg@5"] > warm["popularity"]["ndcg@5"]
    assert {"warm", "cold", "temporal"} <= set(version.metrics)
    assert version.gate["activated"] and version.gate["beats_popularity"]
    assert version.training_seconds > 0


def test_the_gate_rejects_a_worse_model_unless_forced(trained_model, capsys):
    call_command("train_recommender", "--model", "popularity", "--no-progress")
    rejected = ModelVersion.objects.latest("id")
    assert rejected.status == ModelVersion.Status.REJECTED
    assert not rejected.gate["beats_popularity"] and not rejected.gate["not_worse_than_active"]
    assert "rejected" in capsys.readouterr().out
    assert ModelVersion.objects.get(status=ModelVersion.Status.ACTIVE) == trained_model

    call_command("train_recommender", "--model", "popularity", "--force", "--no-progress")
    forced = ModelVersion.objects.latest("id")
    assert forced.status == ModelVersion.Status.ACTIVE and forced.gate["forced"]
    trained_model.refresh_from_db()
    assert trained_model.status == ModelVersion.Status.RETIRED


def _active_copy(source: ModelVersion, **fields) -> ModelVersion:
    """An active version like `source` (same artifact unless told), without any stored metric."""
    values = dict(
        algorithm=source.algorithm, artifact_name=source.artifact_name, artifact_sha256=source.artifact_sha256
    )
    version = ModelVersion.objects.create(**{**values, **fields, "metrics": {}}, status=ModelVersion.Status.CANDIDATE)
    return services.activate_version(version=version)


def test_an_active_version_of_unknown_score_is_replaced_only_when_forced(trained_model, caplog):
    # Its artifact is gone and no metric was stored: nobody can tell whether the candidate is worse.
    unknown = _active_copy(trained_model, artifact_name="recommender/models/gone.joblib")
    call_command("train_recommender", "--no-progress", verbosity=0)
    rejected = ModelVersion.objects.latest("id")
    assert rejected.status == ModelVersion.Status.REJECTED
    assert rejected.gate["beats_popularity"] and not rejected.gate["not_worse_than_active"]
    assert rejected.gate["active"] is None and rejected.gate["active_score_unknown"]
    assert rejected.gate["active_version"] == unknown.pk and "score unknown" in rejected.gate["active_note"]
    assert "promotion refused; use --force" in caplog.text
    assert ModelVersion.objects.get(status=ModelVersion.Status.ACTIVE) == unknown

    call_command("train_recommender", "--no-progress", "--force", verbosity=0)
    forced = ModelVersion.objects.latest("id")
    assert forced.status == ModelVersion.Status.ACTIVE and forced.gate["active_score_unknown"]


def test_the_gate_refuses_when_the_taxonomy_changed_and_no_metric_was_stored(trained_model):
    unknown = _active_copy(trained_model)  # loads fine, but cannot be re-fitted on the new features
    Sector.objects.create(slug="tiers-lieux", name="Tiers-lieux")
    call_command("train_recommender", "--no-progress", verbosity=0)
    rejected = ModelVersion.objects.latest("id")
    assert rejected.status == ModelVersion.Status.REJECTED and rejected.gate["active_score_unknown"]
    assert "taxonomy changed since" in rejected.gate["active_note"]
    assert ModelVersion.objects.get(status=ModelVersion.Status.ACTIVE) == unknown


def test_retraining_the_same_configuration_passes_the_gate_against_the_active_version(trained_model):
    call_command("train_recommender", "--no-progress", verbosity=0)
    latest = ModelVersion.objects.latest("id")
    assert latest.status == ModelVersion.Status.ACTIVE
    assert "same split" in latest.gate["active_note"]
    assert latest.gate["candidate"] == pytest.approx(latest.gate["active"])


def test_training_survives_editors_adding_a_sector_and_a_capability(trained_model, make_merchant):
    Sector.objects.create(slug="tiers-lieux", name="Tiers-lieux")
    Capability.objects.create(slug="caisse-en-ligne", name="Caisse en ligne")
    merchant = make_merchant(sector="tiers-lieux", capabilities=("caisse-en-ligne",))
    response = merchant.recommendations(limit=5)  # the active model does not know them: ignored
    assert response.status_code == 200 and response.json()["strategy"] == "hybrid"

    call_command("train_recommender", "--no-progress", "--force", verbosity=0)
    latest = ModelVersion.objects.latest("id")
    assert latest.data_counts["user_features"] > trained_model.data_counts["user_features"]
    assert latest.gate["active_note"].endswith("(taxonomy changed since)")
    assert make_merchant(sector="tiers-lieux").recommendations().json()["model_version"]["id"] == latest.pk


def test_too_little_data_is_a_clear_error(trained_model):
    EngagementEvent.objects.all().delete()
    with pytest.raises(CommandError, match="Not enough data.*at least 20 merchants, 50 events"):
        call_command("train_recommender", "--no-progress")


def test_seeding_twice_does_not_duplicate_demo_merchants(trained_model, capsys):
    before = EngagementEvent.objects.count()
    call_command("seed_demo_merchants", "--merchants", "150", "--seed", "3", "--no-progress")
    assert "nothing to do" in capsys.readouterr().out
    assert EngagementEvent.objects.count() == before


def test_evaluate_on_a_simulated_population_writes_the_report(tmp_path, capsys):
    call_command("evaluate_recommender", "--simulate", "150", "--seeds", "0", "--leak", "--output", str(tmp_path))
    out = capsys.readouterr().out
    assert "hybrid" in out and "popularity (secteur)" in out and "ratio" in out
    assert "declared" in out and "production, profil du jour" in out
    assert (tmp_path / "comparison.png").stat().st_size > 1000
    assert "hybrid" in (tmp_path / "report.html").read_text()


def test_evaluate_on_the_database_writes_the_report(trained_model, tmp_path, capsys):
    call_command("evaluate_recommender", "--seeds", "0", "--output", str(tmp_path))
    assert "temporal" in capsys.readouterr().out
    assert (tmp_path / "report.html").exists()


def test_editors_see_the_report_with_figures_and_a_chart(client, django_user_model, make_merchant, trained_model):
    merchant = make_merchant()
    shown = merchant.recommendations(limit=3).json()
    first = shown["results"][0]["module"]
    merchant.post_event(first["slug"], "started", recommendation_id=shown["recommendation_id"])
    editor = django_user_model.objects.create_superuser("edith@eleasud.fr", "edith@eleasud.fr", "Sardines-2026-ok")
    client.force_login(editor)
    response = client.get("/admin/reports/recommandations/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<svg" in page and first["title"] in page
    assert "100 %" in page  # one impression of that module, followed by a start: CTR 100 %
    assert f"<td>{trained_model.pk}</td>" in page


def test_a_merchant_cannot_reach_the_report(client, make_merchant):
    merchant = make_merchant()
    client.force_login(merchant.profile.user)
    response = client.get("/admin/reports/recommandations/")
    assert response.status_code in (302, 403)
    assert "<svg" not in response.content.decode()
