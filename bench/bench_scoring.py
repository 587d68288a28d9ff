"""Scoring latency of each recommender, measured side by side in one run.

    .venv/bin/python bench/bench_scoring.py [--merchants 2000] [--items 45] [--seed 0]

Fits every model of ``evaluation.default_models`` on a simulated population, then times ``score`` for
one merchant (a fresh history row and profile, as on the request path) and for a batch of 1000, plus
the ranking rules and the reasons for one merchant. Times are medians over repeats; ``ratio`` is the
single-merchant time over plain popularity's, measured in the same run.

BLAS runs single-threaded unless ``--blas-threads`` says otherwise (set before numpy loads): the
products here are tiny, and on a shared machine OpenBLAS's thread pool made a 1000-merchant batch
~25× slower (8 ms instead of 0.3 ms). Serve with ``OPENBLAS_NUM_THREADS=1`` per worker for the same reason.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

if __name__ == "__main__":  # must happen before numpy is imported
    _threads = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--blas-threads=")), "1")
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_var, _threads)

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere without installing

from recommender.engine.evaluation import ComparisonTable, default_models  # noqa: E402
from recommender.engine.explain import ReasonVocabulary, explain  # noqa: E402
from recommender.engine.ranking import ThompsonExploration, rank  # noqa: E402
from recommender.engine.simulate import simulate_population  # noqa: E402


def median_seconds(fn, *, repeats: int, inner: int) -> float:
    """Median over ``repeats`` of the mean time of ``inner`` back-to-back calls."""
    fn()  # warm-up: first-call allocations and imports are not what we measure
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        samples.append((time.perf_counter() - t0) / inner)
    return float(np.median(samples))


def main(argv=None) -> ComparisonTable:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--merchants", type=int, default=2000)
    parser.add_argument("--items", type=int, default=45)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--blas-threads", default="1", help="BLAS threads (pass as --blas-threads=N)")
    args = parser.parse_args(argv)

    pop = simulate_population(args.merchants, n_items=args.items, seed=args.seed)
    X, dismissed = pop.interactions()
    UF = pop.user_features
    models = default_models(
        feature_pairs=pop.feature_pairs, segment_columns=pop.segment_columns, random_state=args.seed
    )

    rng = np.random.default_rng(args.seed)
    one = int(rng.integers(X.shape[0]))
    batch = rng.choice(X.shape[0], size=min(1000, X.shape[0]), replace=False)
    x1, u1 = X[one], UF[one : one + 1]
    xb, ub = X[batch], UF[batch]

    table = ComparisonTable()
    baseline = None
    for name, model in models.items():
        t0 = time.perf_counter()
        model.fit(X, user_features=UF, item_features=pop.item_features)
        fit_s = time.perf_counter() - t0
        single = median_seconds(lambda m=model: m.score(x1, user_features=u1), repeats=15, inner=200)
        many = median_seconds(lambda m=model: m.score(xb, user_features=ub), repeats=7, inner=5)
        baseline = single if name == "popularity" else baseline
        table.rows.append(
            {
                "step": f"score: {name}",
                "fit (s)": fit_s,
                "1 merchant (µs)": single * 1e6,
                f"{batch.size} merchants (ms)": many * 1e3,
                "per merchant in batch (µs)": many / batch.size * 1e6,
            }
        )

    hybrid = models["hybrid"]
    cat = pop.catalogue
    scores = hybrid.score(x1, user_features=u1)[0]
    has = UF[one, pop.merchant_featurizer.columns("has")] > 0
    exclude = (x1.toarray()[0] >= 4) | dismissed[one].toarray()[0]
    policy = ThompsonExploration(impressions=np.full(cat.n_items, 100), completions=np.full(cat.n_items, 20))

    def ranked():
        return rank(
            scores,
            exclude_mask=exclude,
            required_caps=cat.requires,
            user_caps=has,
            builds_caps=cat.builds,
            boosts=cat.boosts,
            item_themes=cat.themes,
            k=5,
            diversity=2,
            exploration=policy,
            random_state=0,
        )

    vocab = ReasonVocabulary(pop.user_feature_names, pop.item_feature_names, pop.feature_labels, cat.titles)
    top = ranked().items
    steps = {
        "rank (rules, k=5)": ranked,
        "explain (5 items)": lambda: explain(
            hybrid, top, history_row=x1, user_features_row=UF[one], vocabulary=vocab, boosts=cat.boosts
        ),
    }
    for label, fn in steps.items():
        table.rows.append(
            {
                "step": label,
                "fit (s)": None,
                "1 merchant (µs)": median_seconds(fn, repeats=15, inner=50) * 1e6,
                f"{batch.size} merchants (ms)": None,
                "per merchant in batch (µs)": None,
            }
        )
    for row in table.rows:
        row["ratio vs popularity (1 merchant)"] = row["1 merchant (µs)"] / (baseline * 1e6)

    print(
        f"EleaSud engine scoring benchmark — {args.merchants} merchants × {cat.n_items} modules, seed {args.seed}, "
        f"numpy {np.__version__}, BLAS threads {os.environ.get('OPENBLAS_NUM_THREADS', 'default')}"
    )
    print(table.format_table(floatfmt=".2f"))
    hybrid_us = next(r["1 merchant (µs)"] for r in table.rows if r["step"] == "score: hybrid")
    print(f"\nhybrid, one merchant's full catalogue: {hybrid_us:.0f} µs ({hybrid_us / 1000:.3f} ms)")
    return table


if __name__ == "__main__":
    main()
