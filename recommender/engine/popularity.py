"""Baselines: popularity (global or per segment, e.g. per sector) and uniform random scores.

Popularity is the fallback of the serving path and the bar every other model must clear.
"""

from __future__ import annotations

import numpy as np

from .base import BaseRecommender

__all__ = ["PopularityRecommender", "RandomRecommender"]


class PopularityRecommender(BaseRecommender):
    """Scores each item by how many users engaged with it, optionally within the user's segment.

    Parameters
    ----------
    segment_columns : sequence of int or None, default=None
        Columns of ``user_features`` that one-hot (or multi-hot) encode a segment, typically the
        sector block of :class:`~recommender.engine.features.MerchantFeaturizer`
        (``featurizer.columns("sector")``). ``None`` gives global popularity. Segments are read from
        the features rather than passed as a separate array so that a merchant never seen in ``fit``
        is segmented at ``score`` time from its profile alone. A user with several active segment
        columns gets the mean of those segments' popularity; a user with none gets global popularity.
    shrinkage : float, default=50.0
        Pseudo-count pulling a segment's popularity toward the global one:
        ``p_s(i) = (c_s(i) + shrinkage * p(i)) / (n_s + shrinkage)`` where ``c_s(i)`` is the engagement of
        segment ``s`` with item ``i``, ``n_s`` its number of users and ``p(i)`` the global popularity.
        Small segments thus borrow from everyone. Tuned over ``{0, 5, 20, 50, 200}`` on a held-out
        simulated population (seed 100): 50 best for cold-start merchants, within 0.002 of the best for
        warm ones.
    weighted : bool, default=False
        ``False`` counts users who engaged (any positive weight); ``True`` sums engagement weights, so a
        completion counts more than a view.

    Attributes
    ----------
    global_popularity_ : ndarray of shape (n_items,)
        Share of users who engaged with each item (or mean weight when ``weighted``).
    segment_popularity_ : ndarray of shape (n_segments, n_items) or None
        Shrunk per-segment popularity.
    segment_sizes_ : ndarray of shape (n_segments,) or None
    """

    def __init__(self, segment_columns=None, shrinkage=50.0, weighted=False):
        self.segment_columns = segment_columns
        self.shrinkage = shrinkage
        self.weighted = weighted

    def _needs_user_features(self) -> bool:
        return self.segment_columns is not None

    def _fit(self, X, user_features, item_features):
        if self.shrinkage < 0:
            raise ValueError(f"shrinkage must be >= 0, got {self.shrinkage}")
        engaged = X if self.weighted else (X > 0).astype(np.float64)
        n_users = X.shape[0]
        self.global_popularity_ = np.asarray(engaged.sum(axis=0)).ravel() / n_users
        # Head counts (merchants who engaged), for explanations: a popularity claim needs enough of them.
        binary = (X > 0).astype(np.float64)
        self.n_users_ = n_users
        self.global_counts_ = np.asarray(binary.sum(axis=0)).ravel()
        if self.segment_columns is None:
            self.segment_popularity_ = None
            self.segment_sizes_ = None
            self.segment_counts_ = None
            return
        cols = self._segment_cols(user_features.shape[1])
        S = user_features[:, cols]
        counts = np.asarray((engaged.T @ S).T)  # (n_segments, n_items)
        sizes = S.sum(axis=0)
        m = float(self.shrinkage)
        denom = sizes + m
        with np.errstate(invalid="ignore", divide="ignore"):
            pop = (counts + m * self.global_popularity_) / denom[:, None]
        # An empty segment with no shrinkage has no evidence at all: use global popularity.
        pop[denom == 0] = self.global_popularity_
        self.segment_popularity_ = pop
        self.segment_sizes_ = sizes
        self.segment_counts_ = np.asarray((binary.T @ S).T)  # (n_segments, n_items) merchants who engaged

    def _segment_cols(self, n_features: int) -> np.ndarray:
        cols = np.asarray(self.segment_columns, dtype=np.intp).ravel()
        if cols.size == 0 or cols.min() < 0 or cols.max() >= n_features:
            raise ValueError(
                f"segment_columns must be column indices in [0, {n_features}), got {self.segment_columns!r}"
            )
        return cols

    def _score(self, X_rows, user_features):
        n_rows = X_rows.shape[0]
        if self.segment_popularity_ is None:
            return np.broadcast_to(self.global_popularity_, (n_rows, self.n_items_)).copy()
        S = user_features[:, self._segment_cols(user_features.shape[1])]
        total = S.sum(axis=1, keepdims=True)
        scores = S @ self.segment_popularity_
        no_segment = total[:, 0] == 0
        scores[~no_segment] /= total[~no_segment]
        scores[no_segment] = self.global_popularity_
        return scores


class RandomRecommender(BaseRecommender):
    """Uniform random scores: the floor any model must beat.

    ``score`` draws from a generator seeded with ``random_state`` at every call, so the same call
    returns the same scores (reproducible evaluations).
    """

    def __init__(self, random_state=None):
        self.random_state = random_state

    def _fit(self, X, user_features, item_features):
        pass

    def _score(self, X_rows, user_features):
        rng = np.random.default_rng(self.random_state)
        return rng.random((X_rows.shape[0], self.n_items_))
