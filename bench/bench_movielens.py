"""Public data: MovieLens-100k as implicit feedback, the engine against a well-tuned EASE.

Data: the real MovieLens-100k ratings (GroupLens; 943 users, 1,682 films, 100,000 ratings) as shipped inside
RecBole's wheel (`recbole/dataset_example/ml-100k/ml-100k.inter`; `make bench` installs the wheel with
`--no-deps`: only the data file is read, RecBole itself is never imported). No network at run time.

Protocol: every rating is an interaction (implicit feedback, weight 1); per user, a random 80/10/10 split
(train / validation / test, seed 0); full ranking over all films, the user's train and validation films
excluded; NDCG@10 with binary gain, mean over users. EASE's regularisation is tuned on validation (fit on
train), then EASE is refitted on train + validation; the engine's hybrid (no side features: its
collaborative and popularity parts) learns its blend on splits of train + validation, with the tuned EASE as
its collaborative part. Prints a table; no timed assertion anywhere.
"""

import importlib.util
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from recommender.engine.base import top_k
from recommender.engine.collaborative import CollaborativeRecommender
from recommender.engine.hybrid import HybridRecommender
from recommender.engine.metrics import ndcg_at_k
from recommender.engine.popularity import PopularityRecommender

K = 10
ALPHAS = (50.0, 100.0, 200.0, 300.0, 500.0, 800.0, 1200.0, 2000.0)


def data_file() -> Path:
    spec = importlib.util.find_spec("recbole")  # locates the package without importing it (it needs torch)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("MovieLens-100k comes with RecBole's wheel: pip install --no-deps -c constraints.txt recbole")
    return Path(spec.submodule_search_locations[0]) / "dataset_example" / "ml-100k" / "ml-100k.inter"


def load(path: Path) -> sp.csr_matrix:
    raw = np.loadtxt(path, delimiter="\t", skiprows=1, usecols=(0, 1), dtype=np.int64)
    users, u = np.unique(raw[:, 0], return_inverse=True)
    items, i = np.unique(raw[:, 1], return_inverse=True)
    X = sp.csr_matrix((np.ones(len(raw)), (u, i)), shape=(users.size, items.size))
    X.data[:] = 1.0  # a film rated twice (none in ML-100k) is still one interaction
    return X


def split(X: sp.csr_matrix, seed: int = 0):
    """Per user, a random 80/10/10 partition of their interactions."""
    rng = np.random.default_rng(seed)
    parts = {name: ([], []) for name in ("train", "valid", "test")}
    for user in range(X.shape[0]):
        films = rng.permutation(X.indices[X.indptr[user] : X.indptr[user + 1]])
        n = films.size
        n_test, n_valid = int(round(0.1 * n)), int(round(0.1 * n))
        for name, chunk in (
            ("test", films[:n_test]),
            ("valid", films[n_test : n_test + n_valid]),
            ("train", films[n_test + n_valid :]),
        ):
            parts[name][0].extend([user] * chunk.size)
            parts[name][1].extend(chunk.tolist())
    return {name: sp.csr_matrix((np.ones(len(r)), (r, c)), shape=X.shape) for name, (r, c) in parts.items()}


def ndcg(model, seen: sp.csr_matrix, truth: sp.csr_matrix) -> float:
    users = np.flatnonzero(np.diff(truth.indptr) > 0)
    scores = model.score(seen[users])
    coo = seen[users].tocoo()
    scores[coo.row, coo.col] = -np.inf
    return float(np.nanmean(ndcg_at_k(top_k(scores, K), truth[users], K)))


def main():
    X = load(data_file())
    s = split(X)
    train_valid = s["train"] + s["valid"]
    print(f"MovieLens-100k: {X.shape[0]} users, {X.shape[1]} films, {X.nnz} interactions; NDCG@{K}, full ranking")

    tuning = []
    for alpha in ALPHAS:
        model = CollaborativeRecommender(alpha=alpha, binary=True).fit(s["train"])
        tuning.append((ndcg(model, s["train"], s["valid"]), alpha))
    best_valid, alpha = max(tuning)
    print("EASE tuning on validation: " + ", ".join(f"λ={a:g}: {v:.4f}" for v, a in tuning))

    rows = []
    for name, model in (
        ("popularity", PopularityRecommender()),
        (f"EASE (λ={alpha:g}, tuned)", CollaborativeRecommender(alpha=alpha, binary=True)),
        (
            "engine hybrid (EASE + popularity, learnt blend)",
            HybridRecommender(
                collaborative=CollaborativeRecommender(alpha=alpha, binary=True),
                popularity=PopularityRecommender(),
                relevance_threshold=1.0,
                validation_k=K,
            ),
        ),
    ):
        started = time.perf_counter()
        model.fit(train_valid)
        seconds = time.perf_counter() - started
        rows.append((name, ndcg(model, train_valid, s["test"]), seconds))
    ease = rows[1][1]
    width = max(len(r[0]) for r in rows)
    print(f"{'model':<{width}}  ndcg@{K}  vs EASE  fit (s)")
    for name, value, seconds in rows:
        print(f"{name:<{width}}  {value:7.4f}  {value / ease:7.3f}  {seconds:7.1f}")


if __name__ == "__main__":
    main()
