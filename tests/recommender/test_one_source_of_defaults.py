"""Serving uses what training used (event weights from the artifact) and the defaults have one source."""

import pytest

from recommender import serving
from recommender.artifacts import Artifact
from recommender.defaults import RECOMMENDER_DEFAULTS
from recommender.engine.weights import EventWeights
from recommender.training import EVENT_WEIGHTS


def _artifact(**extra):
    return Artifact(None, None, None, (), (), (), "hybrid", extra=extra)


def test_serving_weighs_history_with_the_weights_the_model_was_trained_with():
    stored = {**EVENT_WEIGHTS.__dict__, "completed": 9.0, "viewed": 0.5}
    assert serving.trained_event_weights(_artifact(event_weights=stored)) == EventWeights(**stored)
    # An artifact from before the weights were stored: today's defaults.
    assert serving.trained_event_weights(_artifact()) == EVENT_WEIGHTS


def test_a_setting_left_out_falls_back_to_the_one_default(settings):
    settings.RECOMMENDER = {}
    assert serving._setting("EXPLORATION_EPSILON") == RECOMMENDER_DEFAULTS["EXPLORATION_EPSILON"] == 0.1
    assert serving._setting("MAX_PER_THEME") == 2


@pytest.mark.django_db
def test_trained_artifacts_store_their_event_weights(trained_model):
    from recommender import artifacts

    artifact = artifacts.load(trained_model.artifact_name, sha256=trained_model.artifact_sha256)
    assert artifact.extra["event_weights"] == dict(EVENT_WEIGHTS.__dict__)
