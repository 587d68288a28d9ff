"""Offline evaluation: held-out splits, ranking metrics, model comparisons and hyper-parameter tuning.

Every metric states its exact definition; ``evaluate`` compares models on the same split with the
same rules (items seen in training are excluded from the top-k, as the product does), and
:func:`run_simulated_comparison` is the reproducible comparison the management command prints.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.model_selection import ParameterGrid

from .base import check_interactions, top_k
from .collaborative import CollaborativeRecommender
from .content import ContentRecommender
from .hybrid import HybridRecommender
from .metrics import (
    average_precision_at_k,
    catalogue_coverage,
    cold_start_split,
    ndcg_at_k,
    random_holdout,
    recall_at_k,
    temporal_leave_last_k_out,
)
from .popularity import PopularityRecommender, RandomRecommender
from .timeline import ProfileTimeline

__all__ = [
    "random_holdout",
    "temporal_leave_last_k_out",
    "cold_start_split",
    "ndcg_at_k",
    "recall_at_k",
    "average_precision_at_k",
    "catalogue_coverage",
    "ComparisonTable",
    "evaluate",
    "tune",
    "default_models",
    "SCENARIOS",
    "run_simulated_comparison",
    "comparison_plot_rows",
]


# --- splits and metrics: engine.metrics (re-exported here) -----------------------------------------

# --- comparisons -------------------------------------------------------------------------------------


@dataclass
class ComparisonTable:
    """Rows of results (plain dicts) with an aligned text rendering; no pandas needed."""

    rows: list[dict] = field(default_factory=list)

    def columns(self) -> list[str]:
        cols: list[str] = []
        for row in self.rows:
            cols += [c for c in row if c not in cols]
        return cols

    def where(self, **conditions) -> list[dict]:
        return [r for r in self.rows if all(r.get(k) == v for k, v in conditions.items())]

    def format_table(self, columns: Sequence[str] | None = None, floatfmt: str = ".3f") -> str:
        cols = list(columns or self.columns())

        def cell(v):
            if isinstance(v, float):
                return "nan" if np.isnan(v) else format(v, floatfmt)
            return "" if v is None else str(v)

        body = [[cell(r.get(c)) for c in cols] for r in self.rows]
        widths = [max([len(c)] + [len(b[i]) for b in body]) for i, c in enumerate(cols)]
        numeric = [all(isinstance(r.get(c), (int, float)) or r.get(c) is None for r in self.rows) for c in cols]
        fmt = lambda vals: "  ".join(  # noqa: E731
            v.rjust(w) if num else v.ljust(w) for v, w, num in zip(vals, widths, numeric, strict=False)
        )
        lines = [fmt(cols), "  ".join("-" * w for w in widths)] + [fmt(b) for b in body]
        return "\n".join(line.rstrip() for line in lines)

    def __str__(self) -> str:
        return self.format_table()


def _ranking_metrics(scores, train_rows, relevance_rows, k, exclude_train, n_items):
    if exclude_train:
        seen = train_rows.tocoo()
        scores[seen.row, seen.col] = -np.inf
    top = top_k(scores, k)
    return {
        f"ndcg@{k}": float(np.nanmean(ndcg_at_k(top, relevance_rows, k))),
        f"recall@{k}": float(np.nanmean(recall_at_k(top, relevance_rows, k))),
        f"map@{k}": float(np.nanmean(average_precision_at_k(top, relevance_rows, k))),
        f"coverage@{k}": catalogue_coverage(top, n_items),
    }


def evaluate(
    models: Mapping[str, object],
    train,
    test,
    *,
    k: int = 5,
    user_features=None,
    item_features=None,
    exclude_train: bool = True,
    relevance_threshold: float = 2.0,
    baselines: bool = True,
    random_state=0,
    extra: Mapping | None = None,
    point_in_time: bool = True,
) -> ComparisonTable:
    """Fit each model on ``train`` once and measure its top-``k`` on each held-out matrix.

    ``test`` is a held-out matrix (``train``'s shape) or a mapping ``{scenario: matrix}`` (e.g. warm and
    cold users) evaluated with the same fits. A held-out item is relevant (binary gain 1) when its weight
    is ``>= relevance_threshold`` — 2.0 means "started or better" with the default event weights, so a
    mere view is not a success. Users are evaluated when they have at least one relevant held-out item;
    they are scored from their ``train`` row (empty for cold users) and, with ``exclude_train``, items of
    that row are removed from their list. Metrics are means over evaluated users (see each metric).

    ``baselines`` adds ``"random"`` (:class:`RandomRecommender`) and ``"popularity"`` (global
    :class:`PopularityRecommender`) unless ``models`` already has those names. ``extra`` is copied into
    every row (e.g. the seed).

    ``user_features`` may be a :class:`~recommender.engine.timeline.ProfileTimeline`. Evaluated merchants
    are then scored with the profile they would have had after their training interactions only
    (``given_history``: a capability acquired through a held-out module is not theirs yet). With
    ``point_in_time`` (the default) models are trained with point-in-time rows; ``point_in_time=False``
    trains them on today's profile instead — the leak, kept measurable.
    """
    train = check_interactions(train, name="train")
    tests = dict(test) if isinstance(test, Mapping) else {"held-out": test}
    models = dict(models)
    if baselines:
        models.setdefault("random", RandomRecommender(random_state=random_state))
        models.setdefault("popularity", PopularityRecommender())
    scenarios = {}
    for name, T in tests.items():
        T = check_interactions(T, n_items=train.shape[1], name=f"test[{name!r}]")
        if T.shape != train.shape:
            raise ValueError(f"test[{name!r}] has shape {T.shape}, train has {train.shape}")
        relevant = sp.csr_matrix(relevance_threshold <= T, dtype=np.float64)
        users = np.flatnonzero(np.diff(relevant.indptr) > 0)
        scenarios[name] = (users, relevant[users])

    timeline = user_features if isinstance(user_features, ProfileTimeline) else None
    fit_features = user_features if timeline is None or point_in_time else timeline.features
    table = ComparisonTable()
    for model_name, model in models.items():
        est = clone(model).fit(train, user_features=fit_features, item_features=item_features)
        for scenario, (users, relevant) in scenarios.items():
            if timeline is not None:
                uf = timeline.given_history(users, train)
            else:
                uf = None if user_features is None else np.asarray(user_features)[users]
            scores = est.score(train[users], user_features=uf)
            row = {"scenario": scenario, "model": model_name, **(extra or {}), "users": int(users.size)}
            row.update(_ranking_metrics(scores, train[users], relevant, k, exclude_train, train.shape[1]))
            table.rows.append(row)
    return table


def tune(
    estimator,
    param_grid,
    train,
    valid,
    *,
    k: int = 5,
    user_features=None,
    item_features=None,
    metric: str = "ndcg",
    relevance_threshold: float = 2.0,
):
    """Grid search of ``param_grid`` (as for :class:`sklearn.model_selection.ParameterGrid`) on one split.

    Returns ``(best_params, table)`` where ``table`` lists every candidate's metrics on ``valid``, best
    first by ``f"{metric}@{k}"``.
    """
    results = []
    for params in ParameterGrid(param_grid):
        candidate = clone(estimator).set_params(**params)
        t = evaluate(
            {"candidate": candidate},
            train,
            valid,
            k=k,
            user_features=user_features,
            item_features=item_features,
            baselines=False,
            relevance_threshold=relevance_threshold,
        )
        for row in t.rows:
            row.pop("model")
            results.append({"params": ", ".join(f"{p}={v!r}" for p, v in params.items()), **row, "_params": params})
    key = f"{metric}@{k}"
    results.sort(key=lambda r: -r[key])
    best = results[0]["_params"]
    for r in results:
        r.pop("_params")
    return best, ComparisonTable(results)


# --- the reproducible comparison ---------------------------------------------------------------------


def default_models(*, feature_pairs=None, segment_columns=None, random_state=0) -> dict:
    """The models compared in :func:`run_simulated_comparison`, with their tuned defaults.

    ``feature_pairs`` (see :func:`~recommender.engine.features.domain_interactions`) and
    ``segment_columns`` (the sector columns of the merchant features) wire the models to EleaSud's
    features; the hybrid is the one trained for production. ``"content"`` reads the profile only;
    ``"content+history"`` also reads the merchant's history (the hybrid's content component).
    """
    content = ContentRecommender(interactions=feature_pairs, random_state=random_state)
    content_history = ContentRecommender(interactions=feature_pairs, random_state=random_state, history_features=True)
    collaborative = CollaborativeRecommender()
    by_sector = PopularityRecommender(segment_columns=segment_columns)
    return {
        "random": RandomRecommender(random_state=random_state),
        "popularity": PopularityRecommender(),
        "popularity (secteur)": by_sector,
        "content": content,
        "content+history": content_history,
        "collaborative": collaborative,
        "hybrid": HybridRecommender(
            content=content_history, collaborative=collaborative, popularity=by_sector, random_state=random_state
        ),
    }


#: Scenarios of :func:`run_simulated_comparison`, in display order.
SCENARIOS = ("warm", "temporal", "cold")


def run_simulated_comparison(
    n_merchants: int = 2000,
    seeds: Sequence[int] = (0, 1, 2),
    k: int = 5,
    *,
    n_items: int = 45,
    test_fraction: float = 0.2,
    cold_fraction: float = 0.2,
    temporal_k: int = 2,
    baseline: str = "popularity (secteur)",
    global_baseline: str = "popularity",
    models=None,
    mode: str = "declared",
    point_in_time: bool = True,
) -> ComparisonTable:
    """Compare the models on simulated populations, in three scenarios, over several seeds.

    For each seed: simulate ``n_merchants`` merchants over a synthetic ``n_items`` catalogue; hold out
    every interaction of ``cold_fraction`` of the merchants (``"cold"``: scored from features alone).
    From the remaining merchants' interactions, two held-out sets are built, each with its own fit:

    * ``"warm"``: a random ``test_fraction`` of each merchant's interactions
      (:func:`random_holdout`);
    * ``"temporal"``: each merchant's ``temporal_k`` most recent interactions, by the time of the
      pair's latest event (:func:`temporal_leave_last_k_out`, one interaction always stays in train) —
      predicting what comes next, as in production.

    Every model of :func:`default_models` (or ``models(population, seed)`` when given) is fitted on each
    training matrix once — the random-split fit serves ``"warm"`` and ``"cold"``, the temporal fit
    serves ``"temporal"`` — and evaluated with :func:`evaluate`. Models tune themselves only on their
    training matrix (the hybrid carves its validation split from it).

    Rows: one per (seed, scenario, model), then one per (scenario, model) with ``seed="mean"`` holding
    the mean of each metric over seeds. Every row has ``ratio``, the model's NDCG@k over ``baseline``'s
    (per-sector popularity, the stronger baseline) and ``ratio (global)`` over ``global_baseline``'s,
    measured on the same seed and scenario; on mean rows they are ratios of the means.
    ``print(table.format_table())`` renders it as aligned text; :func:`comparison_plot_rows` extracts
    what a plot needs.

    ``mode`` is the simulator's (``"production"``: profiles filled by declarations, diagnostics and
    completions over time); there, ``point_in_time`` chooses between point-in-time training rows and
    today's profile (the leak). Rows carry ``mode`` and ``training`` ("point-in-time" or "profil du jour").
    """
    from .simulate import simulate_population  # local: keeps evaluation importable without the simulator
    from .weights import last_event_times

    table = ComparisonTable()
    for seed in seeds:
        pop = simulate_population(n_merchants, n_items=n_items, seed=seed, mode=mode)
        X, _dismissed = pop.interactions()
        times = last_event_times(pop.events, n_users=pop.n_merchants, n_items=pop.n_items)
        rest, cold_test, _cold = cold_start_split(X, user_fraction=cold_fraction, random_state=seed)
        train, warm_test = random_holdout(rest, test_fraction=test_fraction, random_state=seed)
        temporal_train, temporal_test = temporal_leave_last_k_out(rest, times, k=temporal_k)
        candidates = (
            models(pop, seed)
            if models is not None
            else default_models(feature_pairs=pop.feature_pairs, segment_columns=pop.segment_columns, random_state=seed)
        )
        common = dict(
            k=k,
            user_features=pop.user_features if mode == "declared" else pop.timeline,
            item_features=pop.item_features,
            extra={"seed": seed},
            random_state=seed,
            point_in_time=point_in_time,
        )
        random_fit = evaluate(candidates, train, {"warm": warm_test, "cold": cold_test}, **common)
        temporal_fit = evaluate(candidates, temporal_train, {"temporal": temporal_test}, **common)
        for scenario in SCENARIOS:
            table.rows += random_fit.where(scenario=scenario) + temporal_fit.where(scenario=scenario)

    metric = f"ndcg@{k}"
    columns = (metric, f"recall@{k}", f"map@{k}", f"coverage@{k}")
    _add_ratios(table.rows, metric, baseline, global_baseline)
    summary = []
    for scenario in SCENARIOS:
        names = list(dict.fromkeys(r["model"] for r in table.where(scenario=scenario)))
        for name in names:
            rows = table.where(scenario=scenario, model=name)
            summary.append(
                {
                    "scenario": scenario,
                    "model": name,
                    "seed": "mean",
                    "users": None,
                    **{col: float(np.mean([r[col] for r in rows])) for col in columns},
                }
            )
    _add_ratios(summary, metric, baseline, global_baseline)
    table.rows += summary
    return table


def _add_ratios(rows, metric, baseline, global_baseline):
    """Set ``ratio`` / ``ratio (global)`` on each row: its metric over the baseline's, same seed and scenario."""
    reference = {(r["scenario"], r["seed"], r["model"]): r[metric] for r in rows}
    for row in rows:
        for column, name in (("ratio", baseline), ("ratio (global)", global_baseline)):
            base = reference.get((row["scenario"], row["seed"], name), np.nan)
            row[column] = row[metric] / base if base else np.nan


def comparison_plot_rows(table: ComparisonTable, *, metric: str = "ndcg@5") -> list[dict]:
    """Per-seed points of a :func:`run_simulated_comparison` table, for plotting (no plotting here).

    Returns one dict per (scenario, model, seed) with keys ``scenario``, ``model``, ``seed`` (int),
    ``value`` (the ``metric``), ``ratio`` and ``ratio (global)``, plus ``mean`` — the model's mean
    ``metric`` over seeds in that scenario — so a caller can draw per-seed markers over mean bars.
    Rows are sorted by scenario (``SCENARIOS`` order), then model (table order), then seed.
    """
    per_seed = [r for r in table.rows if r.get("seed") != "mean"]
    means = {(r["scenario"], r["model"]): r[metric] for r in table.rows if r.get("seed") == "mean"}
    models = list(dict.fromkeys(r["model"] for r in per_seed))
    scenario_order = {s: i for i, s in enumerate(SCENARIOS)}
    out = [
        {
            "scenario": r["scenario"],
            "model": r["model"],
            "seed": int(r["seed"]),
            "value": float(r[metric]),
            "ratio": float(r.get("ratio", np.nan)),
            "ratio (global)": float(r.get("ratio (global)", np.nan)),
            "mean": float(means.get((r["scenario"], r["model"]), np.nan)),
        }
        for r in per_seed
    ]
    out.sort(key=lambda r: (scenario_order.get(r["scenario"], len(SCENARIOS)), models.index(r["model"]), r["seed"]))
    return out
