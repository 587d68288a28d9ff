"""The estimator contract shared by every recommender, and input validation at its boundary.

Every recommender follows the scikit-learn conventions:

* ``__init__`` takes hyper-parameters only and stores them unchanged;
* ``fit(X, *, user_features=None, item_features=None)`` learns and returns ``self``;
  ``X`` is a scipy sparse ``users × items`` matrix of non-negative engagement weights
  (see :mod:`recommender.engine.weights`);
* ``score(X_rows, *, user_features=None)`` returns a dense ``(n_rows, n_items)`` float array,
  higher is better; ``X_rows`` are the current history rows of the users to score, which need
  not be users seen in ``fit`` (a merchant's fresh history and features are enough);
* learned state lives in attributes ending with ``_``; ``random_state`` seeds all randomness.

Validation is hand-rolled rather than ``sklearn.utils.check_array`` because ``score`` is on the
request path: a single-merchant call must stay in the tens of microseconds.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError

from .timeline import ProfileTimeline

__all__ = [
    "BaseRecommender",
    "check_interactions",
    "check_features",
    "NotFittedError",
]


def check_interactions(X, *, n_items: int | None = None, name: str = "X") -> sp.csr_matrix:
    """Return ``X`` as a float64 CSR matrix, or raise ``ValueError`` with a clear message.

    Accepts any scipy sparse matrix/array or a dense 2-D array-like. Rejects NaN, infinities and
    negative values (dismissals are carried separately as a mask, never as negative weights), and a
    column count different from ``n_items`` when given.
    """
    if sp.issparse(X):
        X = sp.csr_matrix(X, dtype=np.float64)
    else:
        try:
            arr = np.asarray(X, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{name} must be a 2-D numeric matrix: {exc}") from exc
        if arr.ndim == 1 and n_items is not None and arr.shape[0] == n_items:
            arr = arr[None, :]  # one user's history row passed as a vector
        if arr.ndim != 2:
            raise ValueError(f"{name} must be 2-D (users × items), got an array with {arr.ndim} dimension(s)")
        X = sp.csr_matrix(arr)
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2-D (users × items)")
    if n_items is not None and X.shape[1] != n_items:
        raise ValueError(f"{name} has {X.shape[1]} item columns, but the model was fitted with {n_items} items")
    data = X.data
    if data.size:
        if not np.isfinite(data).all():
            raise ValueError(f"{name} contains NaN or infinite values")
        if (data < 0).any():
            raise ValueError(
                f"{name} contains negative values; engagement weights must be >= 0 (pass dismissals as a separate mask)"
            )
    return X


def check_features(F, *, n_rows: int, n_features: int | None = None, name: str = "user_features") -> np.ndarray:
    """Return a feature matrix as a dense float64 array with ``n_rows`` rows, or raise ``ValueError``.

    Feature matrices here are narrow (tens to a few hundred one-hot columns), so dense is the fast
    representation for the bilinear products the models compute.
    """
    if sp.issparse(F):
        F = F.toarray()
    try:
        F = np.asarray(F, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a 2-D numeric matrix: {exc}") from exc
    if F.ndim == 1 and n_features is not None and F.shape[0] == n_features and n_rows == 1:
        F = F[None, :]
    if F.ndim != 2:
        raise ValueError(f"{name} must be 2-D (rows × features), got {F.ndim} dimension(s)")
    if F.shape[0] != n_rows:
        raise ValueError(f"{name} has {F.shape[0]} rows but {n_rows} were expected")
    if n_features is not None and F.shape[1] != n_features:
        raise ValueError(f"{name} has {F.shape[1]} columns, but the model was fitted with {n_features}")
    if not np.isfinite(F).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return F


class BaseRecommender(BaseEstimator):
    """Common plumbing: input checks for ``fit``/``score`` and the fitted-state check.

    Subclasses implement ``_fit(X, user_features, item_features)`` and ``_score(X_rows, user_features)``,
    receiving already-validated inputs (CSR float64 interactions, dense float64 features or ``None``).
    """

    #: whether ``fit`` needs ``user_features`` / ``item_features`` (checked with a clear message)
    _requires_user_features = False
    _requires_item_features = False
    #: whether ``_fit`` takes ``timeline=`` (a :class:`~.timeline.ProfileTimeline` passed as ``user_features``:
    #: point-in-time training rows); other estimators get today's features from it
    _accepts_timeline = False

    def fit(self, X, *, user_features=None, item_features=None):
        """Learn from the interactions ``X`` (users × items) and optional side features; return ``self``.

        ``user_features`` may be a :class:`~recommender.engine.timeline.ProfileTimeline`: estimators that
        featurise training rows (content, hybrid) then featurise each row as the merchant was before it.
        """
        X = check_interactions(X)
        n_users, n_items = X.shape
        if n_users == 0 or n_items == 0:
            raise ValueError(f"X must have at least one user and one item, got shape {X.shape}")
        if user_features is None and self._needs_user_features():
            raise ValueError(f"{type(self).__name__} needs user_features to fit")
        if item_features is None and self._requires_item_features:
            raise ValueError(f"{type(self).__name__} needs item_features to fit")
        timeline = None
        if isinstance(user_features, ProfileTimeline):
            timeline = user_features.check(n_users)
            user_features = timeline.features
        if user_features is not None:
            user_features = check_features(user_features, n_rows=n_users, name="user_features")
        if item_features is not None:
            item_features = check_features(item_features, n_rows=n_items, name="item_features")
        if timeline is not None and self._accepts_timeline:
            self._fit(X, user_features, item_features, timeline=timeline)
        else:
            self._fit(X, user_features, item_features)
        self.n_items_ = n_items
        self.n_user_features_ = None if user_features is None else user_features.shape[1]
        self.n_item_features_ = None if item_features is None else item_features.shape[1]
        return self

    def score(self, X_rows, *, user_features=None) -> np.ndarray:
        """Return a dense ``(n_rows, n_items)`` array of scores (higher is better) for the given history rows.

        ``X_rows`` may hold users never seen in ``fit``; ``user_features`` must then describe the same rows.
        """
        self._check_fitted()
        X_rows = check_interactions(X_rows, n_items=self.n_items_, name="X_rows")
        if user_features is not None and self.n_user_features_ is not None:
            user_features = check_features(
                user_features, n_rows=X_rows.shape[0], n_features=self.n_user_features_, name="user_features"
            )
        elif user_features is None and self._needs_user_features():
            raise ValueError(f"{type(self).__name__} needs user_features to score")
        return self._score(X_rows, user_features)

    # -- helpers -----------------------------------------------------------------------------------

    def _needs_user_features(self) -> bool:
        return self._requires_user_features

    def _check_fitted(self) -> None:
        # A cheap attribute test instead of sklearn's check_is_fitted (which scans vars()).
        if not hasattr(self, "n_items_"):
            raise NotFittedError(f"This {type(self).__name__} instance is not fitted yet. Call 'fit' before 'score'.")

    def _fit(self, X, user_features, item_features):  # pragma: no cover - abstract
        raise NotImplementedError

    def _score(self, X_rows, user_features):  # pragma: no cover - abstract
        raise NotImplementedError


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` highest scores of each row, best first; ties go to the lower item index."""
    scores = np.atleast_2d(scores)
    k = min(k, scores.shape[1])
    # A stable sort of the negated scores keeps ties in item order, so results are reproducible.
    return np.argsort(-scores, axis=1, kind="stable")[:, :k]
