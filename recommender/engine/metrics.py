"""Held-out splits and ranking metrics: what evaluation and the hybrid's blend search share.

Split out of :mod:`recommender.engine.evaluation` so that :mod:`recommender.engine.hybrid` can use them
without importing the experiment list (which imports the hybrid): no import cycle.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .base import check_interactions

__all__ = [
    "random_holdout",
    "temporal_leave_last_k_out",
    "cold_start_split",
    "ndcg_at_k",
    "recall_at_k",
    "average_precision_at_k",
    "catalogue_coverage",
]


# --- splits ------------------------------------------------------------------------------------------


def _split_by_order(X: sp.csr_matrix, order_key: np.ndarray, n_test: np.ndarray):
    """Send the first ``n_test[u]`` entries of each row (by ascending ``order_key``) to test."""
    coo = X.tocoo()
    order = np.lexsort((coo.col, order_key, coo.row))  # ties broken by item index: reproducible
    row_sorted = coo.row[order]
    starts = np.searchsorted(row_sorted, np.arange(X.shape[0]))
    position = np.arange(order.size) - starts[row_sorted]
    is_test = np.zeros(coo.nnz, dtype=bool)
    is_test[order] = position < n_test[row_sorted]
    make = lambda m: sp.csr_matrix((coo.data[m], (coo.row[m], coo.col[m])), shape=X.shape)  # noqa: E731
    return make(~is_test), make(is_test)


def random_holdout(X, *, test_fraction: float = 0.2, min_train: int = 1, random_state=None):
    """Per user, hold out a random ``test_fraction`` of their interactions.

    A user with ``n`` interactions gets ``max(1, round(test_fraction * n))`` test items, capped so that at
    least ``min_train`` stay in train (users with ``n <= min_train`` stay entirely in train). Returns
    ``(train, test)``, two CSR matrices of ``X``'s shape whose entries partition ``X``'s: disjoint, and
    ``train + test == X``.
    """
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    X = check_interactions(X)
    X.eliminate_zeros()
    n = np.diff(X.indptr)
    n_test = np.where(n > min_train, np.minimum(np.maximum(1, np.round(test_fraction * n)), n - min_train), 0)
    rng = np.random.default_rng(random_state)
    return _split_by_order(X, rng.random(X.nnz), n_test.astype(int))


def temporal_leave_last_k_out(X, times, *, k: int = 1, min_train: int = 1):
    """Per user, hold out their ``k`` most recent interactions (by ``times``, same sparsity as ``X``).

    ``times`` is e.g. :func:`~recommender.engine.weights.last_event_times`. A user keeps at least
    ``min_train`` interactions in train. Ties in time go to the lower item index first. Returns
    ``(train, test)`` partitioning ``X``.
    """
    X = check_interactions(X)
    X.eliminate_zeros()
    times = sp.csr_matrix(times)
    if times.shape != X.shape:
        raise ValueError(f"times has shape {times.shape}, X has {X.shape}")
    coo = X.tocoo()  # the same entry order _split_by_order sees
    t = np.asarray(times[coo.row, coo.col]).ravel()
    n = np.diff(X.indptr)
    n_test = np.clip(np.minimum(k, n - min_train), 0, None)
    return _split_by_order(X, -t, n_test)


def cold_start_split(X, *, user_fraction: float = 0.2, random_state=None):
    """Hold out the whole history of a random ``user_fraction`` of the users who have any.

    Returns ``(train, test, cold_users)``: ``train`` has the cold users' rows emptied, ``test`` holds only
    those rows, and ``cold_users`` their sorted indices. Cold users are then scored from features alone.
    """
    if not 0 < user_fraction < 1:
        raise ValueError(f"user_fraction must be in (0, 1), got {user_fraction}")
    X = check_interactions(X)
    X.eliminate_zeros()
    active = np.flatnonzero(np.diff(X.indptr) > 0)
    rng = np.random.default_rng(random_state)
    n_cold = int(round(user_fraction * active.size))
    cold = np.sort(rng.choice(active, size=n_cold, replace=False))
    is_cold = np.zeros(X.shape[0], dtype=bool)
    is_cold[cold] = True
    keep = sp.diags((~is_cold).astype(np.float64))
    take = sp.diags(is_cold.astype(np.float64))
    train, test = sp.csr_matrix(keep @ X), sp.csr_matrix(take @ X)
    train.eliminate_zeros()
    test.eliminate_zeros()
    return train, test, cold


# --- metrics -----------------------------------------------------------------------------------------


def _prepare(top_items, relevance, k):
    single = np.ndim(top_items) == 1
    top = np.atleast_2d(np.asarray(top_items, dtype=np.intp))[:, :k]
    rel = relevance.toarray() if sp.issparse(relevance) else np.asarray(relevance, dtype=np.float64)
    rel = np.atleast_2d(rel).astype(np.float64)
    if rel.shape[0] != top.shape[0]:
        raise ValueError(f"top_items has {top.shape[0]} rows but relevance has {rel.shape[0]}")
    valid = top >= 0  # -1 pads lists shorter than k
    gains = np.where(valid, np.take_along_axis(rel, np.where(valid, top, 0), axis=1), 0.0)
    return single, top, rel, gains


def _finish(values, single):
    return float(values[0]) if single else values


def ndcg_at_k(top_items, relevance, k: int):
    """Normalised discounted cumulative gain at ``k``, per user.

    ``top_items``: ranked item indices, best first, shape ``(n_items_listed,)`` or ``(n_users, n)``
    (``-1`` pads short lists). ``relevance``: gain of every item, shape ``(n_items,)`` or
    ``(n_users, n_items)``, dense or sparse — pass 0/1 for binary gain, weights for graded gain.

    ``DCG@k = sum_{i=1..k} gain(item at rank i) / log2(i + 1)`` (linear gain, rank 1 discounted by 1);
    ``IDCG@k`` is the DCG of the ideal list, the user's gains sorted in decreasing order;
    ``NDCG@k = DCG@k / IDCG@k``, NaN when the user has no relevant item (``IDCG = 0``).
    Returns a float for one list, else an array of shape ``(n_users,)``.
    """
    single, top, rel, gains = _prepare(top_items, relevance, k)
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = (gains * discounts[: gains.shape[1]]).sum(axis=1)
    kk = min(k, rel.shape[1])
    ideal = -np.sort(-rel, axis=1)[:, :kk]
    idcg = (ideal * discounts[:kk]).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return _finish(np.where(idcg > 0, dcg / idcg, np.nan), single)


def recall_at_k(top_items, relevance, k: int):
    """Capped recall at ``k``, per user: ``|relevant ∩ top-k| / min(k, |relevant|)``.

    An item is relevant when its gain is > 0. Capping the denominator at ``k`` makes 1.0 reachable for
    users with more than ``k`` relevant items. NaN when the user has no relevant item.
    """
    single, top, rel, gains = _prepare(top_items, relevance, k)
    hits = (gains > 0).sum(axis=1)
    denom = np.minimum(k, (rel > 0).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return _finish(np.where(denom > 0, hits / denom, np.nan), single)


def average_precision_at_k(top_items, relevance, k: int):
    """Average precision at ``k``, per user (MAP@k is its mean over users).

    ``AP@k = (1 / min(k, |relevant|)) * sum_{i=1..k} P@i * rel_i`` where ``rel_i`` is 1 when the item at
    rank ``i`` is relevant (gain > 0) and ``P@i`` is the share of relevant items in the first ``i``.
    NaN when the user has no relevant item.
    """
    single, top, rel, gains = _prepare(top_items, relevance, k)
    hit = (gains > 0).astype(np.float64)
    precision = np.cumsum(hit, axis=1) / np.arange(1, hit.shape[1] + 1)
    denom = np.minimum(k, (rel > 0).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return _finish(np.where(denom > 0, (precision * hit).sum(axis=1) / denom, np.nan), single)


def catalogue_coverage(top_items, n_items: int) -> float:
    """Catalogue coverage: ``|distinct items appearing in any user's top-k| / n_items`` (``-1`` ignored)."""
    top = np.asarray(top_items).ravel()
    return np.unique(top[top >= 0]).size / n_items
