"""How the hybrid chooses its blend: averaged over validation folds carved from train, the cold weight
kept small unless a larger one beats it by more than the noise."""

import numpy as np
import pytest
import scipy.sparse as sp

from recommender.engine import ContentRecommender, HybridRecommender
from recommender.engine.hybrid import _candidate_rows, _one_standard_error_choice, normalize_rows


@pytest.fixture(scope="module")
def fitted(small_population, small_interactions):
    X, _ = small_interactions
    pop = small_population
    content = ContentRecommender(interactions=pop.feature_pairs, history_features=True, random_state=0)
    args = dict(user_features=pop.user_features, item_features=pop.item_features)
    grid = {"history_pivot": (2.0, 8.0), "collaborative_weight": (0.0, 0.5), "popularity_weight": (0.0, 0.2)}
    make = lambda **kw: HybridRecommender(content=content, blend_grid=grid, random_state=5, **kw).fit(X, **args)  # noqa: E731
    return make, X


def _rows(model, group):
    return [r for r in model.blend_validation_ if r["group"] == group]


def test_validation_folds_hold_out_disjoint_cold_users_and_partition_the_training_matrix(small_interactions):
    X, _ = small_interactions
    model = HybridRecommender(validation_folds=4, validation_cold_fraction=0.25, validation_fraction=0.2)
    splits = list(model._validation_splits(sp.csr_matrix(X)))
    assert len(splits) == 4
    active = np.flatnonzero(np.diff(sp.csr_matrix(X).indptr) > 0)
    cold_sets = [set(np.flatnonzero(np.diff(cold.indptr) > 0)) for _, cold, _ in splits]
    assert all(abs(len(c) - 0.25 * active.size) <= 1 for c in cold_sets)
    assert set().union(*cold_sets) <= set(active) and sum(map(len, cold_sets)) == len(set().union(*cold_sets))
    for inner, cold, warm in splits:
        np.testing.assert_allclose((inner + cold + warm).toarray(), X.toarray())
        assert inner.multiply(warm).nnz == 0 and cold.multiply(inner + warm).nnz == 0
    # Same random_state, same splits; another one, other cold users.
    again = list(model._validation_splits(sp.csr_matrix(X)))
    assert all((a[1] != b[1]).nnz == 0 and (a[2] != b[2]).nnz == 0 for a, b in zip(splits, again, strict=True))
    other = list(
        HybridRecommender(validation_folds=4, validation_cold_fraction=0.25, random_state=1)._validation_splits(X)
    )
    assert (other[0][1] != splits[0][1]).nnz > 0


def test_blend_is_chosen_on_every_fold_and_reproducible(fitted):
    make, _ = fitted
    a, b = make(validation_folds=3), make(validation_folds=3)
    assert a.blend_validation_ == b.blend_validation_
    assert a.get_params()["validation_folds"] == 3
    assert len(a.validation_users_["cold"]) == len(a.validation_users_["warm"]) == 3
    for row in a.blend_validation_:
        assert len(row["fold_ndcg"]) == 3
        assert row["ndcg@5"] == pytest.approx(np.mean(row["fold_ndcg"]))
        assert row["users"] == sum(a.validation_users_[row["group"]])
    assert len(_rows(a, "warm")) == 2 * 2 * 2


def test_warm_blend_and_unregularised_cold_weight_are_the_best_mean_over_folds(fitted):
    make, _ = fitted
    model = make(validation_folds=3, prefer_smaller_cold_weight=False)
    cold = _rows(model, "cold")
    assert model.cold_popularity_weight_ == max(cold, key=lambda r: r["ndcg@5"])["cold_popularity_weight"]
    best = max(_rows(model, "warm"), key=lambda r: r["ndcg@5"])
    assert (model.history_pivot_, model.collaborative_weight_, model.popularity_weight_) == (
        best["history_pivot"],
        best["collaborative_weight"],
        best["popularity_weight"],
    )


def test_cold_weight_is_the_smallest_within_one_standard_error_of_the_best(fitted):
    make, _ = fitted
    model = make(validation_folds=3)
    cold = _rows(model, "cold")
    best = max(r["ndcg@5"] for r in cold)
    within = [r["cold_popularity_weight"] for r in cold if r["ndcg@5"] >= best - r["se"]]
    assert model.cold_popularity_weight_ == min(within)
    assert all(r["se"] >= 0 for r in cold) and min(r["se"] for r in cold) == 0.0  # the best has no paired noise


def test_one_standard_error_rule_on_a_hand_computed_example():
    # Candidate 1 is best by 0.05 but its paired difference with candidate 0 is noisy; candidate 2 is worse.
    scores = np.array([[0.5, 0.5, 0.5, 0.5], [0.9, 0.1, 0.9, 0.3], [0.0, 0.0, 0.0, 0.0]])
    rows = _candidate_rows(scores, np.array([0, 0, 1, 1]), 5)
    assert [r["ndcg@5"] for r in rows] == pytest.approx([0.5, 0.55, 0.0])
    assert rows[1]["fold_ndcg"] == pytest.approx((0.5, 0.6))
    # Differences with the best (candidate 1): [-0.4, 0.4, -0.4, 0.2], sample sd 0.4123 over sqrt(4) users.
    assert rows[0]["se"] == pytest.approx(np.std([-0.4, 0.4, -0.4, 0.2], ddof=1) / 2)
    assert rows[1]["se"] == 0.0
    assert _one_standard_error_choice((0.0, 0.1, 0.2), rows) == 0
    # A clear gain wins: the larger weight is kept.
    clear = _candidate_rows(np.array([[0.5, 0.5, 0.5, 0.5], [0.7, 0.7, 0.8, 0.7]]), np.array([0, 0, 1, 1]), 5)
    assert _one_standard_error_choice((0.0, 0.1), clear) == 1


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"validation_folds": 0}, "validation_folds"),
        ({"validation_folds": 2.5}, "validation_folds"),
        ({"validation_folds": 6, "validation_cold_fraction": 0.2}, "validation_folds \\* validation_cold_fraction"),
    ],
)
def test_invalid_fold_settings_are_clear_errors(small_population, small_interactions, params, message):
    X, _ = small_interactions
    pop = small_population
    with pytest.raises(ValueError, match=message):
        HybridRecommender(content=ContentRecommender(interactions=pop.feature_pairs), **params).fit(
            X, user_features=pop.user_features, item_features=pop.item_features
        )


def test_a_cold_content_model_scores_merchants_without_history_and_only_them(small_population, small_interactions):
    X, _ = small_interactions
    pop = small_population
    args = dict(user_features=pop.user_features, item_features=pop.item_features)
    history = ContentRecommender(interactions=pop.feature_pairs, history_features=True, random_state=0)
    profile = ContentRecommender(interactions=pop.feature_pairs, random_state=0)
    blend = dict(learn_blend=False, collaborative_weight=0.0, popularity_weight=0.0, cold_popularity_weight=0.0)
    model = HybridRecommender(content=history, cold_content=profile, **blend).fit(X, **args)
    assert model.cold_content_ is not None and model.cold_content_.history_coef_ is None
    engaged = int(np.flatnonzero(np.diff(sp.csr_matrix(X).indptr) > 0)[0])
    rows = sp.vstack([sp.csr_matrix((1, pop.n_items)), sp.csr_matrix(X[engaged])], format="csr")
    u = pop.user_features[[5, engaged]]
    scores = model.score(rows, user_features=u)
    np.testing.assert_allclose(scores[0], normalize_rows(model.cold_content_.score(rows[:1], user_features=u[:1]))[0])
    warm_only = HybridRecommender(content=history, **blend).fit(X, **args)
    assert warm_only.cold_content_ is None
    np.testing.assert_allclose(scores[1], warm_only.score(rows[1:], user_features=u[1:])[0])
    assert model.content_component(rows[0]) is model.cold_content_
    assert model.content_component(rows[1]) is model.content_
    assert warm_only.content_component(rows[0]) is warm_only.content_


def test_a_model_fitted_before_cold_content_existed_still_scores_and_explains(small_population, small_interactions):
    X, _ = small_interactions
    pop = small_population
    model = HybridRecommender(content=ContentRecommender(interactions=pop.feature_pairs), learn_blend=False).fit(
        X, user_features=pop.user_features, item_features=pop.item_features
    )
    expected = model.score(X[:3], user_features=pop.user_features[:3])
    del model.cold_content_  # as unpickled from an artifact trained by the previous version
    np.testing.assert_allclose(model.score(X[:3], user_features=pop.user_features[:3]), expected)
    assert model.content_component(sp.csr_matrix((1, pop.n_items))) is model.content_


def test_the_hybrid_works_on_interactions_alone(small_interactions):
    """Public implicit-feedback data has no side features: the hybrid is then collaborative + popularity."""
    X, _ = small_interactions
    model = HybridRecommender(
        blend_grid={"history_pivot": (2.0,), "collaborative_weight": (0.5, 1.0), "popularity_weight": (0.0, 0.2)}
    ).fit(X)
    assert model.content_ is None
    scores = model.score(X[:5])
    assert scores.shape == (5, X.shape[1]) and np.isfinite(scores).all()
    # Users with history get the collaborative signal: their lists differ.
    top = np.argsort(-scores, axis=1)[:, :3]
    assert len({tuple(row) for row in top}) > 1
