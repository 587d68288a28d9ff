"""Events become a non-negative interaction matrix plus a dismissed mask."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from recommender.engine.weights import EventWeights, interactions_from_events, last_event_times

T0 = datetime(2026, 10, 1, tzinfo=UTC)


def at(days):
    return T0 + timedelta(days=days)


def test_progress_events_combine_by_max_not_sum():
    events = [
        (0, 0, "viewed", None, at(0)),
        (0, 0, "viewed", None, at(1)),
        (0, 0, "started", None, at(1)),
        (0, 1, "viewed", None, at(0)),
        (0, 1, "completed", None, at(2)),
    ]
    X, D = interactions_from_events(events, n_users=1, n_items=2)
    assert X[0, 0] == 2.0  # started, not 1 + 1 + 2
    assert X[0, 1] == 4.0
    assert D.nnz == 0


def test_default_weights_are_ordered_and_ratings_and_bookmarks_add():
    w = EventWeights()
    assert w.viewed < w.started < w.step_completed < w.completed
    events = [
        (0, 0, "completed", None, at(0)),
        (0, 0, "rated", 5, at(0)),
        (0, 0, "bookmarked", None, at(0)),
        (0, 1, "viewed", None, at(0)),
        (0, 1, "rated", 1, at(0)),
    ]
    X, _ = interactions_from_events(events, n_users=1, n_items=2)
    assert X[0, 0] == pytest.approx(4.0 + 1.5 + 0.5 * (5 - 3))
    assert X[0, 1] == 0.0  # 1 - 1: clipped at zero, never negative


def test_dismissal_zeroes_the_pair_and_sets_the_mask_unless_the_merchant_came_back():
    events = [
        (0, 0, "viewed", None, at(0)),
        (0, 0, "dismissed", None, at(1)),
        (0, 1, "dismissed", None, at(0)),
        (0, 1, "started", None, at(3)),
    ]
    X, D = interactions_from_events(events, n_users=1, n_items=2)
    assert X[0, 0] == 0 and D[0, 0]
    assert X[0, 1] == 2.0 and not D[0, 1]


def test_half_life_decays_old_events():
    events = [(0, 0, "completed", None, at(0)), (0, 1, "completed", None, at(30))]
    X, _ = interactions_from_events(events, n_users=1, n_items=2, now=at(30), weights=EventWeights(half_life_days=30))
    assert X[0, 0] == pytest.approx(2.0) and X[0, 1] == pytest.approx(4.0)


def test_epoch_seconds_and_datetimes_are_equivalent():
    a = [(0, 0, "completed", None, at(0)), (0, 1, "viewed", None, at(2))]
    b = [(u, i, k, v, t.timestamp()) for u, i, k, v, t in a]
    for x, y in zip(
        interactions_from_events(a, n_users=1, n_items=2),
        interactions_from_events(b, n_users=1, n_items=2),
        strict=False,
    ):
        assert (x != y).nnz == 0
    times = last_event_times(a, n_users=1, n_items=2)
    assert times[0, 1] == at(2).timestamp()


@pytest.mark.parametrize(
    "events, message",
    [
        ([(0, 0, "liked", None, at(0))], "unknown event kinds"),
        ([(0, 5, "viewed", None, at(0))], "item indices"),
        ([(3, 0, "viewed", None, at(0))], "user indices"),
        ([(0, 0, "rated", None, at(0))], "rated"),
        ([(0, 0, "viewed")], "must be"),
    ],
)
def test_bad_events_are_rejected_with_clear_errors(events, message):
    with pytest.raises(ValueError, match=message):
        interactions_from_events(events, n_users=1, n_items=2)


def test_weights_must_be_ordered():
    with pytest.raises(ValueError, match="ordered"):
        EventWeights(viewed=3.0, started=2.0)


def test_simulated_event_array_is_accepted(small_population):
    X, D = small_population.interactions()
    assert X.shape == (small_population.n_merchants, small_population.n_items)
    assert (X.data > 0).all() and D.nnz > 0
    assert (X.multiply(D)).nnz == 0  # a dismissed pair carries no weight
    assert np.isin(np.unique(X.data), np.arange(0, 20, 0.5)).all()
