"""Ranking rules: exclusions, prerequisites, boosts, diversity, exploration, determinism."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from recommender.engine.ranking import EpsilonGreedyExploration, ThompsonExploration, active_boosts, rank


@settings(max_examples=60, deadline=None)
@given(data=st.data(), n=st.integers(1, 30))
def test_rank_returns_a_permutation_of_the_non_excluded_items(data, n):
    scores = data.draw(arrays(np.float64, n, elements=st.floats(-10, 10)))
    excluded = data.draw(arrays(bool, n))
    themes = data.draw(arrays(np.int64, n, elements=st.integers(0, 3)))
    result = rank(scores, exclude_mask=excluded, item_themes=themes, k=n, diversity=2, random_state=0)
    assert sorted(result.items.tolist()) == np.flatnonzero(~excluded).tolist()


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 1000))
def test_same_seed_gives_the_same_list(seed):
    rng = np.random.default_rng(seed)
    scores = rng.normal(size=20)
    exploration = ThompsonExploration(impressions=rng.integers(0, 100, 20), completions=rng.integers(0, 10, 20))
    a = rank(scores, k=5, exploration=exploration, random_state=seed)
    b = rank(scores, k=5, exploration=exploration, random_state=seed)
    assert a == b


def test_excluded_items_are_never_recommended():
    scores = np.array([5.0, 4.0, 3.0, 2.0])
    result = rank(scores, exclude_mask=np.array([True, False, True, False]), k=4)
    assert result.items.tolist() == [1, 3]


def test_an_item_comes_after_the_item_in_the_list_that_builds_its_prerequisite():
    # item 0 needs capability 0, which item 2 builds; item 0 scores highest.
    scores = np.array([3.0, 2.0, 1.0, 0.0])
    required = np.array([[1, 0], [0, 0], [0, 0], [0, 0]], bool)
    builds = np.array([[0, 0], [0, 1], [1, 0], [0, 0]], bool)
    result = rank(scores, required_caps=required, builds_caps=builds, user_caps=np.array([0, 0], bool), k=3)
    assert result.items.tolist() == [1, 2, 0]
    entry = result.entries[2]
    assert entry.missing_prerequisites == (0,) and entry.blocked_by == (2,) and entry.prerequisites_in_list


def test_without_a_builder_in_the_list_the_item_is_flagged_and_points_to_one():
    scores = np.array([3.0, 2.0, 1.0, 0.0])
    required = np.array([[1, 0], [0, 0], [0, 0], [0, 0]], bool)
    builds = np.array([[0, 0], [0, 0], [0, 0], [1, 0]], bool)
    result = rank(scores, required_caps=required, builds_caps=builds, user_caps=np.array([0, 0], bool), k=2)
    assert result.items.tolist() == [0, 1]
    assert not result.entries[0].prerequisites_in_list and result.entries[0].blocked_by == (3,)
    has_it = rank(scores, required_caps=required, builds_caps=builds, user_caps=np.array([1, 0], bool), k=2)
    assert has_it.entries[0].missing_prerequisites == () and has_it.entries[0].prerequisites_in_list


def test_boost_adds_to_the_score_only_within_its_dates():
    scores = np.array([1.0, 0.9, 0.0])
    now = 1_000.0
    boosts = active_boosts([0.0, 0.5, 0.5], starts=[np.nan, 900.0, 1_100.0], ends=[np.nan, np.nan, np.nan], now=now)
    np.testing.assert_array_equal(boosts, [0.0, 0.5, 0.0])
    result = rank(scores, boosts=boosts, k=3)
    assert result.items.tolist() == [1, 0, 2] and result.entries[0].boosted


def test_diversity_caps_items_per_theme_in_the_list():
    scores = np.array([5.0, 4.0, 3.0, 2.0, 1.0])
    themes = np.array([0, 0, 0, 1, 2])
    assert rank(scores, item_themes=themes, k=3).items.tolist() == [0, 1, 2]
    assert rank(scores, item_themes=themes, k=3, diversity=1).items.tolist() == [0, 3, 4]
    # not enough themes: filled in score order rather than shortened
    assert rank(scores[:3], item_themes=themes[:3], k=3, diversity=1).items.tolist() == [0, 1, 2]


def test_exploration_sometimes_shows_a_never_shown_item():
    scores = np.linspace(1.0, 0.0, 10)  # item 9 scores lowest and was never shown
    impressions = np.array([500] * 9 + [0])
    for policy in (
        EpsilonGreedyExploration(impressions=impressions, epsilon=0.3),
        ThompsonExploration(impressions=impressions, completions=np.array([100] * 9 + [0])),
    ):
        shown = [9 in rank(scores, k=3, exploration=policy, random_state=seed).items for seed in range(200)]
        assert 0.05 < np.mean(shown) < 0.8, type(policy).__name__
        explored = rank(scores, k=3, exploration=policy, random_state=int(np.argmax(shown)))
        assert explored.entries[[e.item for e in explored.entries].index(9)].explored
    assert 9 not in rank(scores, k=3, random_state=0).items


# --- what the merchant already knows is not a next step -------------------------------------------


def test_a_module_teaching_only_what_the_user_has_comes_after_every_other_candidate():
    builds = np.array([[1, 0], [0, 1], [0, 0], [1, 1]], dtype=bool)
    scores = np.array([5.0, 1.0, 0.5, 4.0])
    ranking = rank(scores, builds_caps=builds, user_caps=np.array([True, False]), k=4)
    assert ranking.items.tolist() == [3, 1, 2, 0]  # item 0 builds only "a", which the user has
    assert [e.already_known for e in ranking.entries] == [False, False, False, True]
    # Short list: it is left out while others remain.
    assert 0 not in rank(scores, builds_caps=builds, user_caps=np.array([True, False]), k=3).items.tolist()


@settings(max_examples=200, deadline=None)
@given(
    scores=arrays(np.float64, 12, elements=st.floats(-5, 5)),
    builds=arrays(bool, (12, 4)),
    user_caps=arrays(bool, 4),
    themes=arrays(np.int64, 12, elements=st.integers(0, 2)),
    excluded=arrays(bool, 12),
    k=st.integers(1, 8),
    epsilon=st.sampled_from([0.0, 1.0]),
)
def test_no_known_module_is_listed_while_another_candidate_is_left_out(
    scores, builds, user_caps, themes, excluded, k, epsilon
):
    known = builds.any(axis=1) & ~(builds & ~user_caps).any(axis=1)
    ranking = rank(
        scores,
        exclude_mask=excluded,
        builds_caps=builds,
        user_caps=user_caps,
        item_themes=themes,
        diversity=2,
        k=k,
        exploration=EpsilonGreedyExploration(impressions=np.zeros(12), epsilon=epsilon),
        random_state=0,
    )
    listed = set(ranking.items.tolist())
    left_out_fresh = [i for i in range(12) if not excluded[i] and not known[i] and i not in listed]
    if left_out_fresh:
        assert not any(known[i] for i in listed)
    # Known items, when listed, are at the end.
    flags = [known[i] for i in ranking.items]
    assert flags == sorted(flags)
