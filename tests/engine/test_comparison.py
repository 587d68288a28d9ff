"""The simulated comparison reports three scenarios per seed and on average, with ratios to both baselines."""

import numpy as np
import pytest

from recommender.engine.evaluation import SCENARIOS, comparison_plot_rows, run_simulated_comparison

SEEDS = (0, 1)


@pytest.fixture(scope="module")
def table():
    return run_simulated_comparison(300, SEEDS, 5, n_items=20)


def test_comparison_has_random_temporal_and_cold_scenarios_per_seed_and_on_average(table):
    models = list(dict.fromkeys(r["model"] for r in table.rows))
    assert {"popularity", "popularity (secteur)", "content", "content+history", "collaborative", "hybrid"} <= set(
        models
    )
    for scenario in SCENARIOS:
        for model in models:
            per_seed = [r for r in table.where(scenario=scenario, model=model) if r["seed"] != "mean"]
            assert sorted(r["seed"] for r in per_seed) == list(SEEDS)
            [mean] = table.where(scenario=scenario, model=model, seed="mean")
            assert mean["ndcg@5"] == pytest.approx(np.mean([r["ndcg@5"] for r in per_seed]))


def test_ratios_are_against_sector_and_global_popularity_of_the_same_seed_and_scenario(table):
    for row in table.rows:
        [sector] = table.where(scenario=row["scenario"], seed=row["seed"], model="popularity (secteur)")
        [global_] = table.where(scenario=row["scenario"], seed=row["seed"], model="popularity")
        assert row["ratio"] == pytest.approx(row["ndcg@5"] / sector["ndcg@5"])
        assert row["ratio (global)"] == pytest.approx(row["ndcg@5"] / global_["ndcg@5"])


def test_comparison_prints_as_an_aligned_text_table(table):
    columns = ["scenario", "model", "seed", "ndcg@5", "ratio", "ratio (global)"]
    lines = table.format_table(columns).splitlines()
    assert len(lines) == len(table.rows) + 2 and set(lines[1]) <= {"-", " "}
    # Right-aligned numeric columns end where their header ends.
    end = lines[0].index("ratio (global)") + len("ratio (global)")
    assert all(len(line) == end for line in lines[2:])
    assert any(line.startswith("temporal") for line in lines)


def test_plot_rows_hold_one_point_per_scenario_model_and_seed(table):
    rows = comparison_plot_rows(table, metric="ndcg@5")
    per_seed = [r for r in table.rows if r["seed"] != "mean"]
    assert len(rows) == len(per_seed)
    assert set(rows[0]) == {"scenario", "model", "seed", "value", "ratio", "ratio (global)", "mean"}
    assert [r["scenario"] for r in rows] == sorted((r["scenario"] for r in rows), key=SCENARIOS.index)
    hybrid = [r for r in rows if r["scenario"] == "cold" and r["model"] == "hybrid"]
    assert [r["seed"] for r in hybrid] == list(SEEDS) and all(isinstance(r["seed"], int) for r in hybrid)
    assert hybrid[0]["mean"] == pytest.approx(np.mean([r["value"] for r in hybrid]))
