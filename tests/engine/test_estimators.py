"""Every recommender follows the same scikit-learn style contract."""

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from recommender.engine import (
    CollaborativeRecommender,
    ContentRecommender,
    HybridRecommender,
    NotFittedError,
    PopularityRecommender,
    RandomRecommender,
)
from recommender.engine.hybrid import DEFAULT_BLEND_GRID


def make_models(pop):
    content = ContentRecommender(interactions=pop.feature_pairs, random_state=0)
    by_sector = PopularityRecommender(segment_columns=pop.segment_columns)
    return {
        "popularity": PopularityRecommender(),
        "popularity_by_sector": by_sector,
        "random": RandomRecommender(random_state=0),
        "content": content,
        "content_full_outer_product": ContentRecommender(C=0.1, max_pairs=1500, random_state=0),
        "collaborative": CollaborativeRecommender(alpha=10.0),
        "hybrid": HybridRecommender(content=content, popularity=by_sector),
    }


MODEL_NAMES = [
    "popularity",
    "popularity_by_sector",
    "random",
    "content",
    "content_full_outer_product",
    "collaborative",
    "hybrid",
]


@pytest.fixture(scope="module")
def fitted(small_population, small_interactions):
    X, _ = small_interactions
    pop = small_population
    return {
        name: model.fit(X, user_features=pop.user_features, item_features=pop.item_features)
        for name, model in make_models(pop).items()
    }


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_constructor_stores_params_unchanged(small_population, name):
    model = make_models(small_population)[name]
    params = model.get_params(deep=False)
    again = clone(model).get_params(deep=False)
    assert params.keys() == again.keys()
    for key, value in params.items():
        assert getattr(model, key) is value


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_fit_returns_self_and_sets_trailing_underscore_state(small_population, small_interactions, name):
    model = make_models(small_population)[name]
    before = set(vars(model))
    X, _ = small_interactions
    out = model.fit(X, user_features=small_population.user_features, item_features=small_population.item_features)
    assert out is model
    learned = set(vars(model)) - before
    assert learned and all(attr.endswith("_") for attr in learned)
    assert model.n_items_ == X.shape[1]


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_score_before_fit_raises_not_fitted(small_population, small_interactions, name):
    model = make_models(small_population)[name]
    X, _ = small_interactions
    with pytest.raises(NotFittedError):
        model.score(X[:2], user_features=small_population.user_features[:2])


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_scores_unseen_users_from_history_and_features(fitted, small_population, name):
    n_items = small_population.n_items
    rng = np.random.default_rng(1)
    history = sp.random(3, n_items, density=0.2, random_state=1, format="csr") * 4
    features = small_population.user_features[rng.choice(small_population.n_merchants, 3)]
    scores = fitted[name].score(history, user_features=features)
    assert scores.shape == (3, n_items)
    assert scores.dtype == np.float64 and np.isfinite(scores).all()


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_score_is_deterministic(fitted, small_population, small_interactions, name):
    X, _ = small_interactions
    uf = small_population.user_features[:5]
    np.testing.assert_array_equal(
        fitted[name].score(X[:5], user_features=uf), fitted[name].score(X[:5], user_features=uf)
    )


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_refit_with_same_seed_gives_same_scores(small_population, small_interactions, fitted, name):
    X, _ = small_interactions
    pop = small_population
    again = clone(make_models(pop)[name]).fit(X, user_features=pop.user_features, item_features=pop.item_features)
    np.testing.assert_allclose(
        again.score(X[:5], user_features=pop.user_features[:5]),
        fitted[name].score(X[:5], user_features=pop.user_features[:5]),
    )


@pytest.mark.parametrize(
    "bad, message",
    [
        (sp.csr_matrix(np.array([[1.0, -1.0], [0.0, 2.0]])), "negative"),
        (np.array([[1.0, np.nan], [0.0, 2.0]]), "NaN"),
        (np.array([1.0, 2.0, 3.0]), "2-D"),
        (sp.csr_matrix((0, 3)), "at least one user"),
    ],
)
def test_fit_rejects_bad_interactions_with_clear_errors(bad, message):
    with pytest.raises(ValueError, match=message):
        PopularityRecommender().fit(bad)


def test_score_rejects_wrong_number_of_items(fitted, small_population):
    with pytest.raises(ValueError, match="item columns"):
        fitted["collaborative"].score(sp.csr_matrix((1, small_population.n_items + 1)))


def test_score_rejects_user_features_of_the_wrong_shape(fitted, small_population, small_interactions):
    X, _ = small_interactions
    with pytest.raises(ValueError, match="columns"):
        fitted["content"].score(X[:2], user_features=small_population.user_features[:2, :-1])
    with pytest.raises(ValueError, match="rows"):
        fitted["content"].score(X[:2], user_features=small_population.user_features[:3])


def test_models_that_need_features_say_so(small_interactions):
    X, _ = small_interactions
    with pytest.raises(ValueError, match="user_features"):
        ContentRecommender().fit(X)
    with pytest.raises(ValueError, match="user_features"):
        PopularityRecommender(segment_columns=[0, 1]).fit(X)


def test_content_model_serves_items_without_any_history(small_population, small_interactions):
    X, _ = small_interactions
    X = X.tolil()
    X[:, 0] = 0  # module 0 is brand new: nobody engaged with it
    pop = small_population
    model = ContentRecommender(interactions=pop.feature_pairs).fit(
        X.tocsr(), user_features=pop.user_features, item_features=pop.item_features
    )
    scores = model.score(sp.csr_matrix((4, pop.n_items)), user_features=pop.user_features[:4])
    assert np.isfinite(scores[:, 0]).all() and np.ptp(scores[:, 0]) > 0  # it depends on the merchant
    proba = model.predict_proba(sp.csr_matrix((4, pop.n_items)), user_features=pop.user_features[:4])
    assert ((proba > 0) & (proba < 1)).all()


def test_collaborative_folds_in_fresh_history_without_refit(fitted, small_population):
    model = fitted["collaborative"]
    empty = sp.csr_matrix((1, small_population.n_items))
    assert np.all(model.score(empty) == 0)
    one = sp.csr_matrix(([4.0], ([0], [3])), shape=(1, small_population.n_items))
    np.testing.assert_allclose(model.score(one)[0], 4.0 * model.item_weights_[3])
    assert model.item_weights_[3, 3] == 0  # an item never explains itself


def test_sector_popularity_differs_by_sector_and_is_shrunk_toward_global(small_population, small_interactions):
    X, _ = small_interactions
    pop = small_population
    cols = pop.segment_columns
    shrunk = PopularityRecommender(segment_columns=cols, shrinkage=1e9).fit(X, user_features=pop.user_features)
    raw = PopularityRecommender(segment_columns=cols, shrinkage=0).fit(X, user_features=pop.user_features)
    uf = pop.user_features[:20]
    np.testing.assert_allclose(
        shrunk.score(X[:20], user_features=uf), np.tile(shrunk.global_popularity_, (20, 1)), atol=1e-6
    )
    assert np.ptp(raw.segment_popularity_, axis=0).max() > 0
    no_sector = np.zeros_like(uf[:1])
    np.testing.assert_allclose(raw.score(X[:1], user_features=no_sector)[0], raw.global_popularity_)


def test_hybrid_collaborative_weight_grows_with_history_as_documented(small_population, small_interactions):
    X, _ = small_interactions
    pop = small_population
    model = HybridRecommender(
        content=ContentRecommender(interactions=pop.feature_pairs, random_state=0),
        history_pivot=3.0,
        collaborative_weight=2.0,
        popularity_weight=0.2,
        cold_popularity_weight=0.05,
        learn_blend=False,
    ).fit(X, user_features=pop.user_features, item_features=pop.item_features)
    n_items = pop.n_items
    rows = sp.csr_matrix(np.array([[0] * n_items, [1] + [0] * (n_items - 1), [1] * 10 + [0] * (n_items - 10)], float))
    w = model.blend_weights(rows)
    np.testing.assert_array_equal(w["content"], 1.0)
    np.testing.assert_allclose(w["collaborative"], [0.0, 2.0 * 1 / 4, 2.0 * 10 / 13])
    np.testing.assert_allclose(w["popularity"], [0.05, 0.75 * 0.05 + 0.25 * 0.2, 3 / 13 * 0.05 + 10 / 13 * 0.2])
    assert model.blend_validation_ == []  # nothing learned: the constructor's blend is used as given
    assert (model.history_pivot_, model.collaborative_weight_) == (3.0, 2.0)


def test_hybrid_learns_its_blend_deterministically_on_a_validation_split_of_train(small_population, small_interactions):
    X, _ = small_interactions
    pop = small_population
    args = dict(user_features=pop.user_features, item_features=pop.item_features)
    content = ContentRecommender(interactions=pop.feature_pairs, history_features=True, random_state=0)
    a = HybridRecommender(content=content, random_state=3).fit(X, **args)
    b = HybridRecommender(content=content, random_state=3).fit(X, **args)
    learned = ("history_pivot_", "collaborative_weight_", "popularity_weight_", "cold_popularity_weight_")
    assert [getattr(a, n) for n in learned] == [getattr(b, n) for n in learned]
    assert a.blend_validation_ == b.blend_validation_
    for name in learned:
        assert getattr(a, name) in DEFAULT_BLEND_GRID[name.rstrip("_")]
    # The warm parameters are the best validation candidates (the cold weight's rule: test_hybrid_blend.py).
    rows = [r for r in a.blend_validation_ if r["group"] == "warm"]
    best = max(rows, key=lambda r: r["ndcg@5"])
    assert all(best[p.rstrip("_")] == getattr(a, p) for p in learned[:3])
    assert [r for r in a.blend_validation_ if r["group"] == "cold"]
    # The components served at score time are refitted on all of X, not on the inner training split.
    full = clone(content).fit(X, **args)
    np.testing.assert_allclose(a.content_.history_coef_, full.history_coef_)


def test_hybrid_blend_grid_can_be_narrowed(small_population, small_interactions):
    X, _ = small_interactions
    pop = small_population
    grid = {"history_pivot": (2.0,), "collaborative_weight": (0.5,), "popularity_weight": (0.0,)}
    model = HybridRecommender(
        content=ContentRecommender(interactions=pop.feature_pairs, random_state=0), blend_grid=grid
    ).fit(X, user_features=pop.user_features, item_features=pop.item_features)
    assert (model.history_pivot_, model.collaborative_weight_, model.popularity_weight_) == (2.0, 0.5, 0.0)
    assert len([r for r in model.blend_validation_ if r["group"] == "warm"]) == 1


def test_content_history_terms_fold_in_fresh_history_and_leave_cold_users_to_the_profile(
    small_population, small_interactions
):
    X, _ = small_interactions
    pop = small_population
    model = ContentRecommender(interactions=pop.feature_pairs, history_features=True, random_state=0).fit(
        X, user_features=pop.user_features, item_features=pop.item_features
    )
    H = model.history_coef_
    assert H.shape == (pop.n_items, pop.n_items) and np.all(np.diag(H) == 0) and np.abs(H).max() > 0
    u = pop.user_features[:1]
    empty = sp.csr_matrix((1, pop.n_items))
    profile = model.score(empty, user_features=u)[0]
    np.testing.assert_allclose(profile, u[0] @ model.projection_ + model.item_bias_)
    one = sp.csr_matrix(([4.0], ([0], [3])), shape=(1, pop.n_items))
    np.testing.assert_allclose(model.score(one, user_features=u)[0] - profile, 4.0 * H[3])
    np.testing.assert_allclose(model.history_contributions(one, 5), 4.0 * H[:, 5] * (np.arange(pop.n_items) == 3))
    assert (
        ContentRecommender(interactions=pop.feature_pairs)
        .fit(X, user_features=pop.user_features, item_features=pop.item_features)
        .history_coef_
        is None
    )


@settings(max_examples=25, deadline=None)
@given(
    n_rows=st.integers(min_value=1, max_value=6),
    density=st.floats(min_value=0.0, max_value=0.6),
    seed=st.integers(min_value=0, max_value=10_000),
)
def test_score_shape_holds_for_any_history(fitted, small_population, n_rows, density, seed):
    rng = np.random.default_rng(seed)
    history = sp.random(n_rows, small_population.n_items, density=density, random_state=seed, format="csr") * 5
    features = small_population.user_features[rng.choice(small_population.n_merchants, n_rows)]
    for model in fitted.values():
        scores = model.score(history, user_features=features)
        assert scores.shape == (n_rows, small_population.n_items)
        assert np.isfinite(scores).all()
