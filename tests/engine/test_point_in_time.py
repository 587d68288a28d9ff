"""Point-in-time training: a past interaction is featurised with what the merchant had before it.

The simulator's production mode fills profiles the way the platform does (declarations, diagnostics,
completions adding what a module builds); trained on today's profile the model learns the leak
("has X" predicts the module that taught X) and recommends to newcomers what they already know.
"""

import numpy as np
import pytest
import scipy.sparse as sp

from recommender.engine.content import ContentRecommender
from recommender.engine.evaluation import cold_start_split, evaluate
from recommender.engine.features import MerchantFeaturizer, Taxonomy
from recommender.engine.hybrid import HybridRecommender
from recommender.engine.popularity import PopularityRecommender
from recommender.engine.simulate import simulate_population
from recommender.engine.timeline import ProfileTimeline, first_event_times
from recommender.engine.weights import EVENT_DTYPE

TAXONOMY = Taxonomy(themes=("t",), sectors=("s",), goals=("g",), capabilities=("a", "b"))


def _timeline():
    """One merchant who declared ``a`` at t=10, took the diagnostic at t=50, and acquired ``b`` at t=100 by
    completing item 1 (first event on it at t=60)."""
    mf = MerchantFeaturizer().fit(TAXONOMY)
    today = mf.transform([{"sector": "s", "capabilities": ["a", "b"], "maturity": {"t": 0.9}}])
    events = np.zeros(2, dtype=EVENT_DTYPE)
    events["user"], events["item"], events["kind"], events["occurred_at"] = 0, [0, 1], "started", [20.0, 60.0]
    return mf, ProfileTimeline(
        features=today,
        has_columns=mf.columns("has"),
        lacks_columns=mf.columns("lacks"),
        capability_since=np.array([[10.0, 100.0]]),
        capability_module=np.array([[-1, 1]]),
        maturity_columns=mf.columns("maturity"),
        maturity_since=np.array([50.0]),
        unknown_maturity=0.5,
        first_times=first_event_times(events, n_users=1, n_items=2),
    )


def _value(mf, row, name):
    return row[mf.vocabulary_[name]]


def test_a_row_sees_only_what_the_merchant_had_at_its_time():
    mf, tl = _timeline()
    X = sp.csr_matrix(np.array([[2.0, 4.0]]))
    before, middle, after = tl.features_at([0, 0, 0], [5.0, 60.0, 200.0], X)
    assert _value(mf, before, "has=a") == 0 and _value(mf, before, "lacks=a") == 1
    assert _value(mf, middle, "has=a") == 1 and _value(mf, middle, "has=b") == 0
    assert _value(mf, after, "has=b") == 1 and _value(mf, after, "lacks=b") == 0
    # Maturity is unknown before the diagnostic, measured after it.
    assert _value(mf, middle, "maturity=t") == pytest.approx(0.9)
    assert _value(mf, before, "maturity=t") == pytest.approx(0.5)


def test_a_capability_acquired_through_a_held_out_module_is_not_counted():
    mf, tl = _timeline()
    without_item_1 = sp.csr_matrix(np.array([[2.0, 0.0]]))
    row = tl.given_history([0], without_item_1)[0]
    assert _value(mf, row, "has=a") == 1
    assert _value(mf, row, "has=b") == 0 and _value(mf, row, "lacks=b") == 1
    full = tl.given_history([0], sp.csr_matrix(np.array([[2.0, 4.0]])))[0]
    assert _value(mf, full, "has=b") == 1


def test_training_rows_take_their_own_first_event_time_and_others_a_time_of_the_same_merchant():
    _mf, tl = _timeline()
    X = sp.csr_matrix(np.array([[2.0, 4.0]]))
    times = tl.training_times(X, np.array([0, 0]), np.array([1, 0]), random_state=0)
    assert times.tolist() == [60.0, 20.0]
    empty = sp.csr_matrix((1, 2))
    assert np.isinf(tl.training_times(empty, np.array([0]), np.array([0]), random_state=0)).all()


@pytest.fixture(scope="module")
def production():
    pop = simulate_population(1000, n_items=30, seed=3, mode="production")
    X, _ = pop.interactions()
    rest, cold_test, cold = cold_start_split(X, user_fraction=0.25, random_state=0)
    return pop, rest, cold_test, cold


def test_production_mode_profiles_grow_through_completions(production):
    pop, *_ = production
    sources = {o["source"] for m in pop.merchants for o in m["capability_origins"]}
    assert sources == {"declared", "detected", "acquired"}
    acquired = [o for m in pop.merchants for o in m["capability_origins"] if o["source"] == "acquired"]
    assert all(o["module"] in pop.catalogue.slugs for o in acquired)
    # Some merchants never took the diagnostic: their maturity is unknown.
    assert any(not m["maturity"] for m in pop.merchants) and any(m["maturity"] for m in pop.merchants)


def _known_share(model, pop, users, X):
    """Share of the cold merchants' top-5 that teaches only what they already have."""
    U = pop.timeline.given_history(users, X)
    scores = model.score(X[users], user_features=U)
    top = np.argsort(-scores, axis=1)[:, :5]
    has = U[:, pop.timeline.has_columns] > 0
    builds = pop.catalogue.builds
    known = builds.any(axis=1)[None, :] & ~((builds[None, :, :] & ~has[:, None, :]).any(axis=2))
    return float(np.take_along_axis(known, top, axis=1).mean())


def test_point_in_time_training_removes_the_leak(production):
    pop, rest, cold_test, cold = production
    content = ContentRecommender(interactions=pop.feature_pairs, random_state=0)
    common = dict(user_features=pop.timeline, item_features=pop.item_features, baselines=False)
    models = {
        "content": content,
        "popularity": PopularityRecommender(),
        "popularity (secteur)": PopularityRecommender(segment_columns=pop.segment_columns),
    }
    fair = evaluate(models, rest, {"cold": cold_test}, point_in_time=True, **common)
    leaky = evaluate({"content": content}, rest, {"cold": cold_test}, point_in_time=False, **common)
    ndcg = {r["model"]: r["ndcg@5"] for r in fair.rows}
    assert ndcg["content"] > 1.2 * ndcg["popularity"]
    assert ndcg["content"] > ndcg["popularity (secteur)"]
    # Trained on today's profile, the same model falls below plain popularity for newcomers.
    assert leaky.rows[0]["ndcg@5"] < 0.7 * ndcg["content"]
    assert leaky.rows[0]["ndcg@5"] < ndcg["popularity"]

    # What a newcomer is told: the leaky model pushes what they already know, the point-in-time one does not.
    fitted_fair = ContentRecommender(interactions=pop.feature_pairs, random_state=0).fit(
        rest, user_features=pop.timeline, item_features=pop.item_features
    )
    fitted_leaky = ContentRecommender(interactions=pop.feature_pairs, random_state=0).fit(
        rest, user_features=pop.timeline.features, item_features=pop.item_features
    )
    assert _known_share(fitted_leaky, pop, cold, rest) > 2 * _known_share(fitted_fair, pop, cold, rest)


def test_the_hybrid_accepts_a_timeline_and_scores_with_todays_profile(production):
    pop, rest, _cold_test, cold = production
    hybrid = HybridRecommender(
        content=ContentRecommender(interactions=pop.feature_pairs, random_state=0, history_features=True),
        popularity=PopularityRecommender(segment_columns=pop.segment_columns),
        blend_grid={"history_pivot": (2.0, 8.0), "collaborative_weight": (0.0, 0.5), "popularity_weight": (0.0, 0.2)},
    ).fit(rest, user_features=pop.timeline, item_features=pop.item_features)
    scores = hybrid.score(rest[cold[:3]], user_features=pop.timeline.features[cold[:3]])
    assert scores.shape == (3, pop.n_items) and np.isfinite(scores).all()
