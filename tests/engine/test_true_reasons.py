"""Every reason of every recommendation is a fact about this merchant and this module, checked against the
simulated population's raw data (profiles, catalogue, events) — never against the model that produced it."""

from collections import Counter

import numpy as np
import pytest
import scipy.sparse as sp

from recommender.engine.collaborative import CollaborativeRecommender
from recommender.engine.content import ContentRecommender
from recommender.engine.explain import POPULARITY_MIN_COUNT, ReasonVocabulary, explain, level_index
from recommender.engine.hybrid import HybridRecommender
from recommender.engine.popularity import PopularityRecommender
from recommender.engine.ranking import rank
from recommender.engine.simulate import simulate_population

GRID = {"history_pivot": (2.0, 8.0), "collaborative_weight": (0.0, 0.5, 2.0), "popularity_weight": (0.0, 0.2)}


@pytest.fixture(scope="module")
def served():
    pop = simulate_population(600, n_items=30, seed=5, mode="production")
    X, _ = pop.interactions()
    model = HybridRecommender(
        content=ContentRecommender(interactions=pop.feature_pairs, random_state=0, history_features=True),
        collaborative=CollaborativeRecommender(),
        popularity=PopularityRecommender(segment_columns=pop.segment_columns),
        blend_grid=GRID,
    ).fit(X, user_features=pop.timeline, item_features=pop.item_features)
    return pop, X, model


def _merchants(pop, X):
    """Each merchant twice: today (full history, today's profile) and as a newcomer (no history, the profile
    without what completions added)."""
    empty = sp.csr_matrix(X.shape)
    for u in range(0, pop.n_merchants, 3):
        record = pop.merchants[u]
        yield record, set(record["capabilities"]), X[u], pop.user_features[u]
        declared = {o["capability"] for o in record["capability_origins"] if o["source"] != "acquired"}
        yield record, declared, empty[u], pop.timeline.given_history([u], empty)[0]


def _check(fact, text, record, caps, history, module, i, pop, X, titles, engaged_by_sector):
    kind = fact[0] if fact else None
    tx = pop.taxonomy
    if kind == "goal":
        return fact[1] in record["goals"] and fact[1] in module["goals"] and tx.name("goals", fact[1]) in text
    if kind == "sector":
        return record["sector"] == fact[1] and fact[1] in module["sectors"] and tx.name("sectors", fact[1]) in text
    if kind == "lacks-builds":
        return fact[1] not in caps and fact[1] in module["capabilities_built"]
    if kind == "has-requires":
        return fact[1] in caps and fact[1] in module["capabilities_required"]
    if kind == "level":
        theme = fact[1]
        return (
            theme == module["theme"]
            and theme in record["maturity"]
            and level_index(record["maturity"][theme], len(tx.levels)) == tx.levels.index(module["level"])
        )
    if kind == "co-engaged":
        j = fact[1]
        both = X[:, j].toarray().ravel() * X[:, i].toarray().ravel()
        return history[0, j] > 0 and (both > 0).any() and titles[j] in text
    if kind == "popular-segment":
        sector = pop.merchant_featurizer.feature_names_[fact[1]].split("=", 1)[1]
        counts = engaged_by_sector[sector]
        return (
            record["sector"] == sector and counts[i] >= POPULARITY_MIN_COUNT and counts[i] >= np.quantile(counts, 2 / 3)
        )
    if kind == "popular":
        counts = np.asarray((X > 0).sum(axis=0)).ravel()
        return counts[i] >= POPULARITY_MIN_COUNT and counts[i] >= np.quantile(counts, 2 / 3)
    if kind == "editorial":
        return pop.catalogue.boosts[i] > 0
    return kind == "fallback"


def test_every_reason_of_every_recommendation_is_true(served):
    pop, X, model = served
    modules = pop.catalogue.records()
    titles = pop.catalogue.titles
    vocabulary = ReasonVocabulary(
        user_feature_names=list(pop.merchant_featurizer.feature_names_),
        item_feature_names=list(pop.module_featurizer.feature_names_),
        labels=pop.feature_labels,
        item_titles=list(titles),
    )
    sectors = np.array([m["sector"] for m in pop.merchants])
    engaged = (X > 0).toarray()
    engaged_by_sector = {s: engaged[sectors == s].sum(axis=0) for s in set(sectors)}
    cap_index = {c: j for j, c in enumerate(pop.taxonomy.capabilities)}
    false, kinds, total = [], Counter(), 0
    for record, caps, history, features in _merchants(pop, X):
        scores = model.score(history, user_features=features[None, :])[0]
        user_caps = np.zeros(len(cap_index), dtype=bool)
        user_caps[[cap_index[c] for c in caps]] = True
        ranking = rank(
            scores,
            exclude_mask=history.toarray().ravel() > 0,
            builds_caps=pop.catalogue.builds,
            required_caps=pop.catalogue.requires,
            user_caps=user_caps,
            item_themes=pop.catalogue.themes,
            diversity=2,
            k=5,
        )
        items = ranking.items.tolist()
        explained = explain(
            model,
            items,
            history_row=history,
            user_features_row=features,
            vocabulary=vocabulary,
            boosts=pop.catalogue.boosts,
            known_maturity=set(record["maturity"]),
        )
        for i, reasons in zip(items, explained, strict=True):
            for reason in reasons:
                total += 1
                kinds[reason.fact[0] if reason.fact else None] += 1
                if not _check(
                    reason.fact, reason.text, record, caps, history, modules[i], i, pop, X, titles, engaged_by_sector
                ):
                    false.append((titles[i], reason.text, reason.fact))
    assert total > 1000
    assert false == []
    # The test covers every kind of reason the model gives (else it would check nothing).
    assert {"goal", "sector", "lacks-builds", "co-engaged", "level"} <= set(kinds)


def test_collaborative_reasons_say_merchants_like_you_when_they_dominate(served):
    pop, X, model = served
    vocabulary = ReasonVocabulary(
        list(pop.merchant_featurizer.feature_names_),
        list(pop.module_featurizer.feature_names_),
        pop.feature_labels,
        list(pop.catalogue.titles),
    )
    said = Counter()
    for u in np.flatnonzero(np.diff(X.indptr) >= 6)[:60]:
        scores = model.score(X[u], user_features=pop.user_features[u][None, :])[0]
        scores[X[u].indices] = -np.inf
        top = np.argsort(-scores)[:5]
        parts = model.component_scores(X[u], user_features=pop.user_features[u][None, :])
        weights = model.blend_weights(X[u])
        explained = explain(model, top, history_row=X[u], user_features_row=pop.user_features[u], vocabulary=vocabulary)
        for i, reasons in zip(top, explained, strict=True):
            shares = {k: max(weights[k][0] * parts[k][0, i], 0.0) for k in parts}
            _cols_u, _cols_i, terms = model.content_.interaction_terms(pop.user_features[u], i)
            history = np.maximum(model.content_.history_contributions(X[u], i), 0).sum()
            profile = terms[terms > 0].sum()
            from_history = shares["content"] * history / (history + profile) if history + profile > 0 else 0.0
            like_you = shares["collaborative"] + from_history
            dominant = like_you > 0 and like_you >= max(shares["content"] - from_history, shares["popularity"])
            said_like_you = any(r.text.startswith("Des commerçants comme vous") for r in reasons)
            said[(bool(dominant), said_like_you)] += 1
            if said_like_you:
                assert dominant
    assert said[(True, True)] > 0 and said[(False, False)] > 0
