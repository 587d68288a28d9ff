"""The production blend of content, collaborative and popularity scores, its weights learned on validation.

Component scores live on different scales (log-odds, item-item sums, shares), so each is normalised
per row before blending; how much each counts, and how that moves with the size of a merchant's
history, is chosen at ``fit`` on a validation split carved from the training data.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone

from .base import BaseRecommender, check_features, check_interactions, top_k
from .collaborative import CollaborativeRecommender
from .content import ContentRecommender
from .popularity import PopularityRecommender

__all__ = ["HybridRecommender", "normalize_rows", "history_sizes", "DEFAULT_BLEND_GRID"]

NORMALIZATIONS = ("zscore", "minmax", "rank")

#: Candidate blend parameters searched at ``fit`` (see :class:`HybridRecommender`).
DEFAULT_BLEND_GRID = {
    "history_pivot": (1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 21.0),
    "collaborative_weight": (0.0, 0.1, 0.25, 0.5, 1.0, 2.0),
    "popularity_weight": (0.0, 0.05, 0.1, 0.2, 0.4),
    "cold_popularity_weight": (0.0, 0.05, 0.1, 0.2, 0.4),
}


def normalize_rows(scores: np.ndarray, method: str = "zscore", *, ignore=None) -> np.ndarray:
    """Put each row of ``scores`` on a common scale.

    * ``"zscore"``: ``(s - mean(s)) / std(s)`` over the row's items;
    * ``"minmax"``: ``(s - min) / (max - min)``, in [0, 1];
    * ``"rank"``: ``rank / (n_items - 1)`` with rank 0 for the lowest score, in [0, 1] (average rank on ties).

    ``ignore`` (bool, same shape) marks entries left out of the row statistics — the items a user
    already engaged with, which ranking removes anyway: their collaborative scores are high by
    construction and would otherwise squash the spread among the items that can be recommended.
    Ignored entries are normalised with the same statistics (``zscore``/``minmax``) or get 0 (``rank``).

    A constant row (e.g. the collaborative scores of a user without history) carries no preference and
    becomes all zeros under every method, so it adds nothing to a blend.
    """
    s = np.asarray(scores, dtype=np.float64)
    use = np.ones_like(s, dtype=bool) if ignore is None else ~np.asarray(ignore, dtype=bool)
    count = np.maximum(use.sum(axis=1, keepdims=True), 1)
    if method == "zscore":
        mean = np.where(use, s, 0.0).sum(axis=1, keepdims=True) / count
        centred = s - mean
        std = np.sqrt(np.where(use, centred**2, 0.0).sum(axis=1, keepdims=True) / count)
        return np.divide(centred, std, out=np.zeros_like(centred), where=std > 1e-12)
    if method == "minmax":
        lo = np.where(use, s, np.inf).min(axis=1, keepdims=True)
        span = np.where(use, s, -np.inf).max(axis=1, keepdims=True) - lo
        ok = np.isfinite(span) & (span > 1e-12)
        return np.divide(s - np.where(np.isfinite(lo), lo, 0.0), span, out=np.zeros_like(s), where=ok)
    if method == "rank":
        from scipy.stats import rankdata

        masked = np.where(use, s, np.nan)
        ranks = (rankdata(masked, axis=1, nan_policy="omit") - 1.0) / np.maximum(count - 1, 1)
        spread = np.where(use, s, np.nan)
        with np.errstate(invalid="ignore"):
            constant = ~(np.nanmax(spread, axis=1) - np.nanmin(spread, axis=1) > 1e-12)
        ranks[constant] = 0.0
        return np.nan_to_num(ranks, nan=0.0)
    raise ValueError(f"normalization must be one of {NORMALIZATIONS}, got {method!r}")


def history_sizes(X_rows) -> np.ndarray:
    """Number of items with a positive weight in each (CSR) history row."""
    if X_rows.data.size and (X_rows.data > 0).all():
        return np.diff(X_rows.indptr)
    return np.asarray((X_rows > 0).sum(axis=1)).ravel()


class HybridRecommender(BaseRecommender):
    """Blend of content, collaborative and popularity scores whose weights depend on the user's history.

    For a history row with ``n`` engaged items, ``w = n / (n + history_pivot)`` and::

        score = norm(content)
                + collaborative_weight * w * norm(collaborative)
                + ((1 - w) * cold_popularity_weight + w * popularity_weight) * norm(popularity)

    ``norm`` is :func:`normalize_rows`. The content weight is the unit (only relative weights change a
    ranking): a newcomer is served by content and the popularity prior, and the collaborative model
    counts more as the merchant engages (half its full weight at ``n = history_pivot``).

    **Learning the blend** (``learn_blend=True``, the default). ``fit(X, ...)`` first carves a validation
    split out of ``X`` itself — never out of anything held out for evaluation: the whole history of
    ``validation_cold_fraction`` of the users with history (cold validation users), and a random
    ``validation_fraction`` of each other user's interactions (warm validation users), both drawn with
    ``random_state`` (:func:`~recommender.engine.evaluation.cold_start_split` and
    :func:`~recommender.engine.evaluation.random_holdout`). The components are fitted on the rest, and
    the blend parameters are chosen by grid search (``blend_grid``, default :data:`DEFAULT_BLEND_GRID`)
    to maximise the mean NDCG@``validation_k`` of the validation users, with the same rules as
    :func:`~recommender.engine.evaluation.evaluate` (binary gain for held-out weights
    ``>= relevance_threshold``, training items excluded from the list). Cold users have ``w = 0``, so
    ``cold_popularity_weight`` is chosen on the cold validation users first; ``history_pivot``,
    ``collaborative_weight`` and ``popularity_weight`` are then chosen jointly on the warm ones. Ties
    keep the first candidate in grid order (the smaller values), so the search is deterministic. The
    components are finally refitted on all of ``X``. When a validation group has fewer than
    ``min_validation_users`` users, its parameters keep the constructor values. With
    ``learn_blend=False`` the constructor values are used as given.

    Parameters
    ----------
    content, collaborative, popularity : estimators or None
        Component estimators (cloned at fit). ``None`` uses the component's defaults. For EleaSud pass a
        :class:`ContentRecommender` with ``interactions=domain_interactions(...)`` and
        ``history_features=True`` and a sector-segmented :class:`PopularityRecommender` (as
        :func:`~recommender.engine.evaluation.default_models` does).
    history_pivot : float, default=5.0
        The ``k`` of ``w = n / (n + k)`` (used as is without ``learn_blend``, else learned).
    collaborative_weight : float, default=1.0
        Weight of the collaborative scores for a long history.
    popularity_weight, cold_popularity_weight : float, default=0.1
        Weight of the popularity prior for a long history and for a user without history.
    normalization : {"zscore", "minmax", "rank"}, default="zscore"
        Per-row normalisation of component scores. z-scores are kept because they preserve how much
        better the best items are, which explanations use.
    learn_blend : bool, default=True
        Learn the four blend parameters on the validation split described above.
    blend_grid : dict or None, default=None
        Candidate values per blend parameter; missing keys and ``None`` use :data:`DEFAULT_BLEND_GRID`.
    validation_fraction, validation_cold_fraction : float, default=0.2
        Size of the validation split (share of each warm user's interactions; share of users held out whole).
    validation_k : int, default=5
        The ``k`` of the NDCG the grid search maximises.
    relevance_threshold : float, default=2.0
        A validation interaction counts as relevant from this weight ("started or better").
    min_validation_users : int, default=20
    random_state : int, Generator or None, default=0
        Seeds the validation split. Components keep their own ``random_state``.

    Attributes
    ----------
    content_, collaborative_, popularity_ : fitted component estimators (fitted on all of ``X``)
    history_pivot_, collaborative_weight_, popularity_weight_, cold_popularity_weight_ : float
        The blend used at ``score`` time (learned, or copied from the constructor).
    blend_validation_ : list of dict
        One row per candidate evaluated on validation (``group`` "cold" or "warm", the parameters,
        ``ndcg@k``, ``users``), in search order; empty without ``learn_blend``.
    """

    _requires_user_features = True

    def __init__(
        self,
        content=None,
        collaborative=None,
        popularity=None,
        history_pivot=5.0,
        collaborative_weight=1.0,
        popularity_weight=0.1,
        cold_popularity_weight=0.1,
        normalization="zscore",
        learn_blend=True,
        blend_grid=None,
        validation_fraction=0.2,
        validation_cold_fraction=0.2,
        validation_k=5,
        relevance_threshold=2.0,
        min_validation_users=20,
        random_state=0,
    ):
        self.content = content
        self.collaborative = collaborative
        self.popularity = popularity
        self.history_pivot = history_pivot
        self.collaborative_weight = collaborative_weight
        self.popularity_weight = popularity_weight
        self.cold_popularity_weight = cold_popularity_weight
        self.normalization = normalization
        self.learn_blend = learn_blend
        self.blend_grid = blend_grid
        self.validation_fraction = validation_fraction
        self.validation_cold_fraction = validation_cold_fraction
        self.validation_k = validation_k
        self.relevance_threshold = relevance_threshold
        self.min_validation_users = min_validation_users
        self.random_state = random_state

    # -- fit -------------------------------------------------------------------------------------

    def _fit(self, X, user_features, item_features):
        if self.history_pivot < 0:
            raise ValueError(f"history_pivot must be >= 0, got {self.history_pivot}")
        if self.normalization not in NORMALIZATIONS:
            raise ValueError(f"normalization must be one of {NORMALIZATIONS}, got {self.normalization!r}")
        self.history_pivot_ = float(self.history_pivot)
        self.collaborative_weight_ = float(self.collaborative_weight)
        self.popularity_weight_ = float(self.popularity_weight)
        self.cold_popularity_weight_ = float(self.cold_popularity_weight)
        self.blend_validation_ = []
        if self.learn_blend:
            self._learn_blend(X, user_features, item_features)
        self._fit_components(X, user_features, item_features)

    def _fit_components(self, X, U, V):
        fit_args = dict(user_features=U, item_features=V)
        self.content_ = clone(self.content if self.content is not None else ContentRecommender()).fit(X, **fit_args)
        self.collaborative_ = clone(
            self.collaborative if self.collaborative is not None else CollaborativeRecommender()
        ).fit(X, **fit_args)
        self.popularity_ = clone(self.popularity if self.popularity is not None else PopularityRecommender()).fit(
            X, **fit_args
        )
        self.n_items_ = X.shape[1]  # _component_scores runs before BaseRecommender.fit sets it

    def _learn_blend(self, X, U, V):
        # Local import: evaluation imports this module.
        from .evaluation import cold_start_split, ndcg_at_k, random_holdout

        for name, value in (
            ("validation_fraction", self.validation_fraction),
            ("validation_cold_fraction", self.validation_cold_fraction),
        ):
            if not 0 < value < 1:
                raise ValueError(f"{name} must be in (0, 1), got {value}")
        grid = {**DEFAULT_BLEND_GRID, **(self.blend_grid or {})}
        seed = np.random.default_rng(self.random_state).integers(2**32)
        rest, cold_valid, _ = cold_start_split(X, user_fraction=self.validation_cold_fraction, random_state=seed)
        inner, warm_valid = random_holdout(rest, test_fraction=self.validation_fraction, random_state=seed + 1)
        self._fit_components(inner, U, V)
        k = int(self.validation_k)

        def group(valid):
            relevant = sp.csr_matrix(valid >= self.relevance_threshold, dtype=np.float64)
            users = np.flatnonzero(np.diff(relevant.indptr) > 0)
            rows = inner[users]
            parts = self._component_scores(rows, U[users])
            seen = rows.tocoo()
            return users.size, rows, parts, relevant[users], (seen.row, seen.col)

        def ndcg(total, relevant, seen):
            total[seen] = -np.inf
            return float(np.nanmean(ndcg_at_k(top_k(total, k), relevant, k)))

        n_cold, _, parts, relevant, seen = group(cold_valid)
        if n_cold >= self.min_validation_users:
            best = -np.inf
            for p0 in grid["cold_popularity_weight"]:
                value = ndcg(parts["content"] + p0 * parts["popularity"], relevant, seen)
                self.blend_validation_.append(
                    {"group": "cold", "cold_popularity_weight": p0, f"ndcg@{k}": value, "users": n_cold}
                )
                if value > best:
                    best, self.cold_popularity_weight_ = value, float(p0)

        n_warm, rows, parts, relevant, seen = group(warm_valid)
        if n_warm >= self.min_validation_users:
            n = history_sizes(rows).astype(np.float64)
            p0 = self.cold_popularity_weight_
            best = -np.inf
            for pivot in grid["history_pivot"]:
                w = (n / (n + pivot) if pivot > 0 else np.ones_like(n))[:, None]
                for c in grid["collaborative_weight"]:
                    base = parts["content"] + c * w * parts["collaborative"]
                    for p in grid["popularity_weight"]:
                        value = ndcg(base + ((1 - w) * p0 + w * p) * parts["popularity"], relevant, seen)
                        self.blend_validation_.append(
                            {
                                "group": "warm",
                                "history_pivot": pivot,
                                "collaborative_weight": c,
                                "popularity_weight": p,
                                f"ndcg@{k}": value,
                                "users": n_warm,
                            }
                        )
                        if value > best:
                            best = value
                            self.history_pivot_, self.collaborative_weight_, self.popularity_weight_ = (
                                float(pivot),
                                float(c),
                                float(p),
                            )

    # -- score -----------------------------------------------------------------------------------

    def blend_weights(self, X_rows) -> dict[str, np.ndarray]:
        """Per-row weight of each component (``"content"``, ``"collaborative"``, ``"popularity"``), see the class doc."""
        n = history_sizes(X_rows).astype(np.float64)
        denom = n + self.history_pivot_
        w = np.divide(n, denom, out=np.ones_like(n), where=denom > 0)
        return {
            "content": np.ones_like(w),
            "collaborative": self.collaborative_weight_ * w,
            "popularity": (1.0 - w) * self.cold_popularity_weight_ + w * self.popularity_weight_,
        }

    def component_scores(self, X_rows, *, user_features) -> dict[str, np.ndarray]:
        """Normalised scores of each component, each of shape ``(n_rows, n_items)``."""
        self._check_fitted()
        X_rows = check_interactions(X_rows, n_items=self.n_items_, name="X_rows")
        user_features = check_features(
            user_features, n_rows=X_rows.shape[0], n_features=self.n_user_features_, name="user_features"
        )
        return self._component_scores(X_rows, user_features)

    def _component_scores(self, X_rows, U):
        m = self.normalization
        seen = None
        if X_rows.nnz:
            seen = np.zeros(X_rows.shape, dtype=bool)
            coo = X_rows.tocoo()
            seen[coo.row, coo.col] = coo.data > 0
        return {
            "content": normalize_rows(self.content_._score(X_rows, U), m, ignore=seen),
            "collaborative": normalize_rows(self.collaborative_._score(X_rows, U), m, ignore=seen),
            "popularity": normalize_rows(self.popularity_._score(X_rows, U), m, ignore=seen),
        }

    def _score(self, X_rows, U):
        parts = self._component_scores(X_rows, U)
        weights = self.blend_weights(X_rows)
        total = np.zeros((X_rows.shape[0], self.n_items_))
        for name, part in parts.items():
            total += weights[name][:, None] * part
        return total
