"""The simulator is deterministic per seed and its truth has the structure it claims."""

import numpy as np

from recommender.engine.simulate import Catalogue, simulate_population, synthetic_catalogue


def test_same_seed_same_population_different_seed_different_one():
    a, b, c = (simulate_population(150, n_items=15, seed=s) for s in (4, 4, 5))
    for name in a.events.dtype.names:  # per field: NaN values compare equal this way
        np.testing.assert_array_equal(a.events[name], b.events[name])
    np.testing.assert_array_equal(a.user_features, b.user_features)
    np.testing.assert_array_equal(a.utility, b.utility)
    assert a.events.size != c.events.size or not np.array_equal(a.events, c.events)


def test_events_are_a_plausible_funnel_over_weeks(small_population):
    ev = small_population.events
    kinds, counts = np.unique(ev["kind"], return_counts=True)
    n = dict(zip(kinds, counts, strict=False))
    assert n["viewed"] > n["started"] > n["completed"] > 0 and n["dismissed"] > 0 and n["rated"] > 0
    assert np.all(np.diff(ev["occurred_at"]) >= 0)  # sorted by time
    span_days = (ev["occurred_at"].max() - ev["occurred_at"].min()) / 86_400
    assert 14 < span_days < 365
    rated = ev[ev["kind"] == "rated"]["value"]
    assert set(np.unique(rated)) <= {1.0, 2.0, 3.0, 4.0, 5.0}


def test_engagement_follows_true_utility(small_population):
    X, _ = small_population.interactions()
    u = small_population.utility
    engaged = X.toarray() >= 2
    assert u[engaged].mean() > u[~engaged].mean() + 0.5


def test_a_catalogue_passed_in_as_records_is_used():
    records = synthetic_catalogue(12, seed=1).records()
    catalogue = Catalogue.from_records(records, synthetic_catalogue(12, seed=1).taxonomy)
    pop = simulate_population(50, catalogue=catalogue, seed=0)
    assert pop.n_items == 12 and pop.catalogue.slugs == tuple(r["slug"] for r in records)
