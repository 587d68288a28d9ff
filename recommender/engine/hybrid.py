"""The production blend of content, collaborative and popularity scores, its weights learned on validation.

Component scores live on different scales (log-odds, item-item sums, shares), so each is normalised
per row before blending; how much each counts, and how that moves with the size of a merchant's
history, is chosen at ``fit`` on validation splits carved from the training data.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone

from .base import BaseRecommender, check_features, check_interactions, top_k
from .collaborative import CollaborativeRecommender
from .content import ContentRecommender
from .metrics import ndcg_at_k, random_holdout
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

    **Learning the blend** (``learn_blend=True``, the default). ``fit(X, ...)`` carves
    ``validation_folds`` validation splits out of ``X`` itself — never out of anything held out for
    evaluation. The users with history are shuffled once with ``random_state``; split ``f`` holds out the
    whole history of the ``f``-th disjoint block of ``validation_cold_fraction`` of them (cold validation
    users) and a random ``validation_fraction`` of each other user's interactions (warm validation users,
    :func:`~recommender.engine.evaluation.random_holdout`). On each split the components are fitted on the
    rest and every candidate of ``blend_grid`` (default :data:`DEFAULT_BLEND_GRID`) is scored by the
    NDCG@``validation_k`` of each validation user, with the same rules as
    :func:`~recommender.engine.evaluation.evaluate` (binary gain for held-out weights
    ``>= relevance_threshold``, training items excluded from the list). A candidate's value is the mean over
    the splits of their mean NDCG: one split's ~300 cold users are too few (±0.02 NDCG) to separate
    candidates that differ by ~0.005. Cold users have ``w = 0``, so ``cold_popularity_weight`` is chosen on
    the cold validation users first — with ``prefer_smaller_cold_weight``, as the smallest weight whose
    value is within one standard error (of its paired per-user difference) of the best candidate's, so
    popularity only gains weight when the gain exceeds the noise; else the best. ``history_pivot``,
    ``collaborative_weight`` and ``popularity_weight`` are then chosen jointly on the warm users as the best
    candidate; ties keep the first in grid order (the smaller values), so the search is deterministic. The
    components are finally refitted on all of ``X``. When a validation group has fewer than
    ``min_validation_users`` users over all splits, its parameters keep the constructor values. With
    ``learn_blend=False`` the constructor values are used as given.

    **Cold content model** (``cold_content``, default ``None``). When given, a merchant without history is
    scored by this estimator (e.g. a profile-only :class:`ContentRecommender`) instead of ``content``. A
    history-aware model learns its profile terms next to history terms, which absorb part of them; on
    simulated populations kept apart from the reported ones (seeds 100–109, 2000 merchants) a profile-only
    cold model raised cold NDCG@5 over per-sector popularity from 1.246× to 1.256× on average (7 seeds of 10
    better). Off by default in :func:`~recommender.engine.evaluation.default_models` for now.

    Parameters
    ----------
    content, collaborative, popularity : estimators or None
        Component estimators (cloned at fit). ``None`` uses the component's defaults. For EleaSud pass a
        :class:`ContentRecommender` with ``interactions=domain_interactions(...)`` and
        ``history_features=True`` and a sector-segmented :class:`PopularityRecommender` (as
        :func:`~recommender.engine.evaluation.default_models` does).
    cold_content : estimator or None, default=None
        Content estimator for rows without history (cloned at fit); ``None`` scores them with ``content``.
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
        Fewest validation users (over all splits) for a group's parameters to be learned.
    validation_folds : int, default=3
        Number of validation splits; ``validation_folds * validation_cold_fraction`` must be ``<= 1``.
        3 splits give ~3× the cold validation users of one for ~2× the fit time.
    prefer_smaller_cold_weight : bool, default=True
        Choose the cold popularity weight by the one-standard-error rule above rather than the best mean.
    random_state : int, Generator or None, default=0
        Seeds the validation split. Components keep their own ``random_state``.

    Attributes
    ----------
    content_, collaborative_, popularity_ : fitted component estimators (fitted on all of ``X``)
    cold_content_ : fitted estimator or None
        The fitted ``cold_content`` (``None`` without it).
    history_pivot_, collaborative_weight_, popularity_weight_, cold_popularity_weight_ : float
        The blend used at ``score`` time (learned, or copied from the constructor).
    blend_validation_ : list of dict
        One row per candidate evaluated on validation (``group`` "cold" or "warm", the parameters,
        ``ndcg@k`` — the mean over splits —, ``fold_ndcg`` — each split's mean —, ``se`` — the standard error
        of the paired difference with the group's best —, and ``users`` over all splits), in search order;
        empty without ``learn_blend``.
    validation_users_ : dict
        ``{"cold": (n per split, ...), "warm": (...)}``: validation users with a relevant held-out item.
    """

    # Without side features (public implicit-feedback data) the content part is left out: the hybrid is
    # then its collaborative and popularity parts, blended the same way.
    _requires_user_features = False
    _accepts_timeline = True

    def __init__(
        self,
        content=None,
        collaborative=None,
        popularity=None,
        cold_content=None,
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
        validation_folds=3,
        prefer_smaller_cold_weight=True,
        random_state=0,
    ):
        self.content = content
        self.collaborative = collaborative
        self.popularity = popularity
        self.cold_content = cold_content
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
        self.validation_folds = validation_folds
        self.prefer_smaller_cold_weight = prefer_smaller_cold_weight
        self.random_state = random_state

    # -- fit -------------------------------------------------------------------------------------

    def _fit(self, X, user_features, item_features, timeline=None):
        if self.history_pivot < 0:
            raise ValueError(f"history_pivot must be >= 0, got {self.history_pivot}")
        if self.normalization not in NORMALIZATIONS:
            raise ValueError(f"normalization must be one of {NORMALIZATIONS}, got {self.normalization!r}")
        self.history_pivot_ = float(self.history_pivot)
        self.collaborative_weight_ = float(self.collaborative_weight)
        self.popularity_weight_ = float(self.popularity_weight)
        self.cold_popularity_weight_ = float(self.cold_popularity_weight)
        self.blend_validation_ = []
        self.validation_users_ = {}
        features = user_features if timeline is None else timeline
        if self.learn_blend:
            self._learn_blend(X, features, item_features)
        self._fit_components(X, features, item_features)

    def _fit_components(self, X, U, V):
        fit_args = dict(user_features=U, item_features=V)
        if U is None or V is None:
            self.content_ = None  # interactions alone: no profile to learn from
        else:
            self.content_ = clone(self.content if self.content is not None else ContentRecommender()).fit(X, **fit_args)
        self.collaborative_ = clone(
            self.collaborative if self.collaborative is not None else CollaborativeRecommender()
        ).fit(X, **fit_args)
        self.popularity_ = clone(self.popularity if self.popularity is not None else PopularityRecommender()).fit(
            X, **fit_args
        )
        self.cold_content_ = (
            None if self.cold_content is None or self.content_ is None else clone(self.cold_content).fit(X, **fit_args)
        )
        self.n_items_ = X.shape[1]  # _component_scores runs before BaseRecommender.fit sets it

    def _learn_blend(self, X, U, V):
        for name, value in (
            ("validation_fraction", self.validation_fraction),
            ("validation_cold_fraction", self.validation_cold_fraction),
        ):
            if not 0 < value < 1:
                raise ValueError(f"{name} must be in (0, 1), got {value}")
        folds = self.validation_folds
        if isinstance(folds, bool) or not isinstance(folds, (int, np.integer)) or folds < 1:
            raise ValueError(f"validation_folds must be an integer >= 1, got {folds!r}")
        if folds * self.validation_cold_fraction > 1 + 1e-9:
            raise ValueError(
                "validation_folds * validation_cold_fraction must be <= 1 (the folds' cold validation users are "
                f"disjoint), got {folds} * {self.validation_cold_fraction}"
            )
        grid = {**DEFAULT_BLEND_GRID, **(self.blend_grid or {})}
        k = int(self.validation_k)

        cold, warm = [], []  # per fold: (users' components, relevance, seen entries, history sizes)
        for inner, cold_valid, warm_valid in self._validation_splits(X):
            self._fit_components(inner, U, V)
            cold.append(self._validation_group(inner, cold_valid, U))
            warm.append(self._validation_group(inner, warm_valid, U))
        self.validation_users_ = {
            "cold": tuple(group[0]["content"].shape[0] for group in cold),
            "warm": tuple(group[0]["content"].shape[0] for group in warm),
        }

        def per_user(groups, blend):
            """NDCG@k of each validation user of each fold under ``blend(parts, n) -> scores``, and their folds."""
            values = [_ndcg_per_user(blend(parts, n), relevant, seen, k) for parts, relevant, seen, n in groups]
            return np.concatenate(values), np.repeat(np.arange(len(groups)), [v.size for v in values])

        n_cold = sum(self.validation_users_["cold"])
        if n_cold >= self.min_validation_users:
            candidates = tuple(float(p0) for p0 in grid["cold_popularity_weight"])
            scores = []
            for p0 in candidates:
                values, fold_of = per_user(cold, lambda parts, n, p0=p0: parts["content"] + p0 * parts["popularity"])
                scores.append(values)
            rows = _candidate_rows(np.array(scores), fold_of, k)
            chosen = _one_standard_error_choice(candidates, rows) if self.prefer_smaller_cold_weight else None
            chosen = chosen if chosen is not None else int(np.argmax([r[f"ndcg@{k}"] for r in rows]))
            self.cold_popularity_weight_ = candidates[chosen]
            for p0, row in zip(candidates, rows, strict=True):
                self.blend_validation_.append({"group": "cold", "cold_popularity_weight": p0, **row})

        n_warm = sum(self.validation_users_["warm"])
        if n_warm >= self.min_validation_users:
            p0 = self.cold_popularity_weight_
            candidates, scores = [], []
            for pivot in grid["history_pivot"]:
                for c in grid["collaborative_weight"]:
                    for p in grid["popularity_weight"]:

                        def blend(parts, n, pivot=pivot, c=c, p=p):
                            w = (n / (n + pivot) if pivot > 0 else np.ones_like(n))[:, None]
                            return (
                                parts["content"]
                                + c * w * parts["collaborative"]
                                + ((1 - w) * p0 + w * p) * parts["popularity"]
                            )

                        values, fold_of = per_user(warm, blend)
                        candidates.append((float(pivot), float(c), float(p)))
                        scores.append(values)
            rows = _candidate_rows(np.array(scores), fold_of, k)
            # Ties keep the first candidate in grid order (np.argmax returns the first maximum).
            chosen = int(np.argmax([r[f"ndcg@{k}"] for r in rows]))
            self.history_pivot_, self.collaborative_weight_, self.popularity_weight_ = candidates[chosen]
            for (pivot, c, p), row in zip(candidates, rows, strict=True):
                self.blend_validation_.append(
                    {"group": "warm", "history_pivot": pivot, "collaborative_weight": c, "popularity_weight": p, **row}
                )

    def _validation_splits(self, X):
        """Yield ``(inner, cold_valid, warm_valid)`` for each of the ``validation_folds`` validation splits.

        The users with history are shuffled once (``random_state``); split ``f`` holds out the whole history
        of the ``f``-th block of ``validation_cold_fraction`` of them (blocks are disjoint, so every cold
        validation user is used once), then a random ``validation_fraction`` of each other user's
        interactions (:func:`~recommender.engine.evaluation.random_holdout`, seeded per split).
        """
        rng = np.random.default_rng(self.random_state)
        seed = int(rng.integers(2**32))
        active = np.flatnonzero(history_sizes(X) > 0)
        order = rng.permutation(active)
        n_cold = int(round(self.validation_cold_fraction * active.size))
        for fold in range(int(self.validation_folds)):
            is_cold = np.zeros(X.shape[0], dtype=bool)
            is_cold[order[fold * n_cold : (fold + 1) * n_cold]] = True
            rest = sp.csr_matrix(sp.diags((~is_cold).astype(np.float64)) @ X)
            cold_valid = sp.csr_matrix(sp.diags(is_cold.astype(np.float64)) @ X)
            rest.eliminate_zeros()
            cold_valid.eliminate_zeros()
            inner, warm_valid = random_holdout(rest, test_fraction=self.validation_fraction, random_state=seed + fold)
            yield inner, cold_valid, warm_valid

    def _validation_group(self, inner, valid, F):
        """What a validation group needs to score any blend: per-component normalised scores of its users
        (those with a relevant held-out item), their relevance rows, the entries to exclude (their ``inner``
        history) and their history sizes."""
        relevant = sp.csr_matrix(valid >= self.relevance_threshold, dtype=np.float64)
        users = np.flatnonzero(np.diff(relevant.indptr) > 0)
        rows = inner[users]
        seen = rows.tocoo()
        U = F[users] if isinstance(F, np.ndarray) else None if F is None else F.given_history(users, inner)
        return (
            self._component_scores(rows, U),
            relevant[users],
            (seen.row, seen.col),
            history_sizes(rows).astype(np.float64),
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
        if user_features is not None:
            user_features = check_features(
                user_features, n_rows=X_rows.shape[0], n_features=self.n_user_features_, name="user_features"
            )
        return self._component_scores(X_rows, user_features)

    def content_component(self, history_row):
        """The fitted content estimator that scores this history row: ``cold_content_`` (when there is one)
        for an empty history, else ``content_``."""
        cold_content = getattr(self, "cold_content_", None)
        if cold_content is not None and history_sizes(sp.csr_matrix(history_row))[0] == 0:
            return cold_content
        return self.content_

    def _content_scores(self, X_rows, U):
        if self.content_ is None:
            return np.zeros((X_rows.shape[0], self.n_items_))
        # getattr: models pickled before ``cold_content`` existed have no ``cold_content_`` and still serve.
        cold_content = getattr(self, "cold_content_", None)
        if cold_content is None:
            return self.content_._score(X_rows, U)
        cold = history_sizes(X_rows) == 0
        if cold.all():
            return cold_content._score(X_rows, U)
        scores = self.content_._score(X_rows, U)
        if cold.any():
            scores[cold] = cold_content._score(X_rows[cold], U[cold])
        return scores

    def _component_scores(self, X_rows, U):
        m = self.normalization
        seen = None
        if X_rows.nnz:
            seen = np.zeros(X_rows.shape, dtype=bool)
            coo = X_rows.tocoo()
            seen[coo.row, coo.col] = coo.data > 0
        return {
            "content": normalize_rows(self._content_scores(X_rows, U), m, ignore=seen),
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


def _ndcg_per_user(scores, relevant, seen, k):
    """NDCG@k of each row of ``scores`` once the ``seen`` entries are excluded (as :func:`evaluate` does)."""
    scores[seen] = -np.inf
    return ndcg_at_k(top_k(scores, k), relevant, k)


def _candidate_rows(scores, fold_of, k):
    """Validation summary of each candidate from its per-user NDCG (``scores``: candidates × users).

    ``ndcg@k`` is the mean over the folds of each fold's mean NDCG; ``se`` is the standard error of the
    paired per-user difference with the best candidate (0 for the best itself), the noise a difference
    between two candidates must exceed to mean something.
    """
    folds = np.unique(fold_of)
    fold_means = np.stack([scores[:, fold_of == f].mean(axis=1) for f in folds], axis=1)
    means = fold_means.mean(axis=1)
    diff = scores - scores[int(np.argmax(means))]
    se = diff.std(axis=1, ddof=1) / np.sqrt(scores.shape[1]) if scores.shape[1] > 1 else np.zeros(len(scores))
    return [
        {
            f"ndcg@{k}": float(means[i]),
            "fold_ndcg": tuple(float(v) for v in fold_means[i]),
            "se": float(se[i]),
            "users": int(scores.shape[1]),
        }
        for i in range(len(scores))
    ]


def _one_standard_error_choice(candidates, rows):
    """Index of the smallest candidate whose mean NDCG is within one (paired) standard error of the best."""
    key = next(k for k in rows[0] if k.startswith("ndcg@"))
    best = max(r[key] for r in rows)
    within = [i for i, r in enumerate(rows) if r[key] >= best - r["se"]]
    return min(within, key=lambda i: (candidates[i], i))
