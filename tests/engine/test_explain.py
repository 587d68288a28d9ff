"""Reasons come from what drove the score, in French, and change when the driver changes."""

import numpy as np
import scipy.sparse as sp

from recommender.engine import ContentRecommender, HybridRecommender
from recommender.engine.evaluation import default_models
from recommender.engine.explain import ReasonVocabulary, explain
from recommender.engine.features import (
    MerchantFeaturizer,
    ModuleFeaturizer,
    Taxonomy,
    domain_interactions,
    feature_labels,
)

GOALS = {"etre-trouve": "Être trouvé par de nouveaux clients", "faire-revenir": "Faire revenir ses clients"}
TAXONOMY = Taxonomy(
    themes=("etre-visible", "attirer-fideliser"),
    sectors=("restauration", "alimentaire"),
    goals=tuple(GOALS),
    capabilities=("site-vitrine", "fichier-clients"),
    names={"goals": GOALS},
)


def goal_driven_world():
    """Merchants engage exactly with modules serving their goal; nothing else differs."""
    mf, of = MerchantFeaturizer().fit(TAXONOMY), ModuleFeaturizer().fit(TAXONOMY)
    merchants = [{"sector": s, "goals": [g]} for g in GOALS for s in TAXONOMY.sectors for _ in range(20)]
    modules = [
        {"theme": "etre-visible", "goals": ["etre-trouve"], "capabilities_built": ["site-vitrine"]},
        {"theme": "attirer-fideliser", "goals": ["faire-revenir"], "capabilities_built": ["fichier-clients"]},
    ] * 3
    U, V = mf.transform(merchants), of.transform(modules)
    served = np.array([[m["goals"][0] in mod["goals"] for mod in modules] for m in merchants])
    X = sp.csr_matrix(np.where(served, 4.0, 0.0))
    vocab = ReasonVocabulary(
        mf.feature_names_,
        of.feature_names_,
        feature_labels(TAXONOMY, mf, of),
        [f"Module {i}" for i in range(len(modules))],
    )
    return mf, of, U, V, X, vocab, merchants


def test_changing_the_driving_goal_changes_the_reason():
    mf, of, U, V, X, vocab, merchants = goal_driven_world()
    model = ContentRecommender(interactions=domain_interactions(mf, of), C=10.0).fit(
        X, user_features=U, item_features=V
    )
    empty = sp.csr_matrix((1, V.shape[0]))
    found = mf.transform([{"sector": "restauration", "goals": ["etre-trouve"]}])[0]
    loyal = mf.transform([{"sector": "restauration", "goals": ["faire-revenir"]}])[0]
    [r_found] = explain(model, [0], history_row=empty, user_features_row=found, vocabulary=vocab)
    [r_loyal] = explain(model, [1], history_row=empty, user_features_row=loyal, vocabulary=vocab)
    assert r_found[0].text == "Correspond à votre objectif « Être trouvé par de nouveaux clients »"
    assert r_loyal[0].text == "Correspond à votre objectif « Faire revenir ses clients »"
    assert all(1 <= len(r) <= 3 for r in (r_found, r_loyal))


def test_hybrid_gives_one_to_three_french_reasons_with_history_and_boost(small_population, small_interactions):
    pop = small_population
    X, _ = small_interactions
    model = default_models(feature_pairs=pop.feature_pairs, segment_columns=pop.segment_columns)["hybrid"]
    model.fit(X, user_features=pop.user_features, item_features=pop.item_features)
    vocab = ReasonVocabulary(pop.user_feature_names, pop.item_feature_names, pop.feature_labels, pop.catalogue.titles)
    n = np.diff(X.indptr)
    user = int(np.argmax(np.where(n <= pop.n_items // 2, n, 0)))  # a long history, with plenty left to recommend
    scores = model.score(X[user], user_features=pop.user_features[user : user + 1])[0]
    top = np.argsort(-np.where(X[user].toarray()[0] > 0, -np.inf, scores))[:5]
    boosts = np.zeros(pop.n_items)
    boosts[top[0]] = 0.5
    reasons = explain(
        model, top, history_row=X[user], user_features_row=pop.user_features[user], vocabulary=vocab, boosts=boosts
    )
    assert all(1 <= len(r) <= 3 for r in reasons)
    assert any(r.text == "Mis en avant par l'équipe éditoriale" for r in reasons[0])
    collaborative = [r for rs in reasons for r in rs if r.source == "collaborative"]
    assert collaborative, "a merchant with a long history gets 'merchants who followed X' reasons"
    history_titles = {pop.catalogue.titles[j] for j in X[user].indices}
    assert all(any(f"« {t} »" in r.text for t in history_titles) for r in collaborative)


def test_collaborative_reason_names_the_history_item_that_contributed_most(small_population, small_interactions):
    pop = small_population
    X, _ = small_interactions
    model = HybridRecommender(content=ContentRecommender(interactions=pop.feature_pairs), history_pivot=0.01).fit(
        X, user_features=pop.user_features, item_features=pop.item_features
    )
    vocab = ReasonVocabulary(pop.user_feature_names, pop.item_feature_names, pop.feature_labels, pop.catalogue.titles)
    B = model.collaborative_.item_weights_
    j, i = np.unravel_index(np.argmax(B), B.shape)  # the strongest "followed j → follows i" link
    history = sp.csr_matrix(([4.0], ([0], [j])), shape=(1, pop.n_items))
    [reasons] = explain(model, [i], history_row=history, user_features_row=pop.user_features[0], vocabulary=vocab)
    assert reasons[0].source == "collaborative" and f"« {pop.catalogue.titles[j]} »" in reasons[0].text
