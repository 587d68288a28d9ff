"""Operators list model versions and roll back to an earlier one without restarting workers."""

import pytest
from django.core.management import CommandError, call_command

from recommender.models import ModelVersion

pytestmark = pytest.mark.django_db


def test_an_operator_rolls_back_to_an_earlier_version(trained_model, capsys):
    call_command("train_recommender", "--force", "--no-progress", verbosity=0)
    newest = ModelVersion.objects.get(status="active")
    assert newest.pk != trained_model.pk

    call_command("recommender_versions")
    rows = {line.split()[0]: line.split()[1] for line in capsys.readouterr().out.splitlines()[1:] if line.strip()}
    assert rows[str(trained_model.pk)] == "retired" and rows[str(newest.pk)] == "active"

    call_command("recommender_versions", "--activate", str(trained_model.pk))
    assert ModelVersion.objects.get(status="active").pk == trained_model.pk


def test_a_version_whose_artifact_is_broken_cannot_be_activated(trained_model):
    ModelVersion.objects.filter(pk=trained_model.pk).update(artifact_sha256="0" * 64, status="retired")
    with pytest.raises(CommandError, match="cannot be activated"):
        call_command("recommender_versions", "--activate", str(trained_model.pk))
    with pytest.raises(CommandError, match="No model version"):
        call_command("recommender_versions", "--activate", "999999")
