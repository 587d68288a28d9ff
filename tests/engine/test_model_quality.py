"""On a simulated population, the models beat their baselines (small and fast version of the benchmark)."""

from recommender.engine.evaluation import cold_start_split, default_models, evaluate, random_holdout
from recommender.engine.simulate import simulate_population


def test_hybrid_beats_sector_popularity_by_a_margin_and_content_alone_for_warm_merchants():
    pop = simulate_population(600, n_items=30, seed=11)
    X, _ = pop.interactions()
    rest, cold, _ = cold_start_split(X, user_fraction=0.25, random_state=0)
    train, warm = random_holdout(rest, test_fraction=0.25, random_state=0)
    models = default_models(feature_pairs=pop.feature_pairs, segment_columns=pop.segment_columns)
    table = evaluate(
        {n: models[n] for n in ("popularity (secteur)", "content", "hybrid")},
        train,
        {"warm": warm, "cold": cold},
        k=5,
        user_features=pop.user_features,
        item_features=pop.item_features,
    )
    ndcg = {(r["scenario"], r["model"]): r["ndcg@5"] for r in table.rows}
    for scenario in ("warm", "cold"):
        assert ndcg[scenario, "popularity"] > 1.5 * ndcg[scenario, "random"], table.format_table()
    # The stronger, per-sector baseline; measured 1.35x warm and 1.15x cold on this small population.
    assert ndcg["warm", "hybrid"] > 1.25 * ndcg["warm", "popularity (secteur)"], table.format_table()
    assert ndcg["cold", "hybrid"] > 1.1 * ndcg["cold", "popularity (secteur)"], table.format_table()
    # History makes the difference for warm merchants: measured 0.506 against 0.480 for the profile alone.
    assert ndcg["warm", "hybrid"] > ndcg["warm", "content"] + 0.01, table.format_table()
    assert "hybrid" in table.format_table()
