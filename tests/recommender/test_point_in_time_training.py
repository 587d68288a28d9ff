"""Training featurises each past interaction with what the merchant had before it (point in time), from the
capability origins the platform records; serving keeps today's profile."""

import numpy as np
import pytest

from merchants.models import CapabilityOrigin
from recommender import training

pytestmark = pytest.mark.django_db


def _column(data, name):
    return data.merchant_featurizer.vocabulary_[name]


def test_a_completion_does_not_explain_itself(trained_model, make_merchant):
    merchant = make_merchant(capabilities=["page-facebook"])
    merchant.post_event("reconnaitre-les-arnaques", "started")  # after the declaration, then completed
    merchant.post_event("reconnaitre-les-arnaques", "completed")
    origin = CapabilityOrigin.objects.get(merchant=merchant.profile, capability__slug="vigilance-arnaques")
    assert origin.source == "acquired" and origin.module_slug == "reconnaitre-les-arnaques"

    data = training.load_training_data()
    user = data.merchant_ids.index(merchant.profile.pk)
    item = data.module_slugs.index("reconnaitre-les-arnaques")
    has_vigilance = _column(data, "has=vigilance-arnaques")
    has_facebook = _column(data, "has=page-facebook")
    # Today's profile (what serving uses) has it ...
    assert data.user_features[user, has_vigilance] == 1
    # ... but the training row of the module that taught it sees the merchant as they were before it.
    [time] = data.timeline.training_times(data.X, np.array([user]), np.array([item]), random_state=0)
    row = data.timeline.features_at(np.array([user]), np.array([time]), data.X)[0]
    assert row[has_vigilance] == 0 and row[_column(data, "lacks=vigilance-arnaques")] == 1
    assert row[has_facebook] == 1  # declared before: still there
    # A merchant evaluated without that module in their history does not have it either.
    X_without = data.X.tolil()
    X_without[user, item] = 0
    assert data.timeline.given_history([user], X_without.tocsr())[0, has_vigilance] == 0
