"""Point-in-time merchant features: what a merchant had *before* each interaction.

A merchant's profile changes because of what they do on EleaSud: completing a module adds the capabilities
it builds, a diagnostic adds the capabilities it detects and the maturity it measures. Featurising a past
interaction with today's profile leaks its consequences into its causes ("has two-factor authentication"
would predict engaging with the module that taught it). :class:`ProfileTimeline` keeps, per merchant and
capability, *since when* they have it and *which module* (if any) brought it, and builds feature rows as
they stood at a given time — the point-in-time join of feature stores.

The rule for a training row ``(merchant, module, t)`` given the training interactions ``X``: a capability
counts when the merchant had it at ``t`` and, when a module brought it, that module is among the
merchant's interactions in ``X`` (so a capability acquired through a held-out module never counts); the
diagnostic's maturity counts from the diagnostic on. With ``t = +inf`` this gives the profile a merchant
would have today had they done only the interactions of ``X`` — what evaluation scores held-out merchants
with.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

__all__ = ["ProfileTimeline", "first_event_times"]


def first_event_times(events, *, n_users: int, n_items: int) -> sp.csr_matrix:
    """Epoch seconds of the first event of each (user, item) pair (``EVENT_DTYPE`` array), as CSR."""
    if events.size == 0:
        return sp.csr_matrix((n_users, n_items), dtype=np.float64)
    keys, inv = np.unique(events["user"] * n_items + events["item"], return_inverse=True)
    first = np.full(keys.size, np.inf)
    np.minimum.at(first, inv, events["occurred_at"])
    users, items = np.divmod(keys, n_items)
    return sp.csr_matrix((first, (users, items)), shape=(n_users, n_items))


@dataclass(frozen=True)
class ProfileTimeline:
    """Merchant features over time (see the module docstring).

    Attributes
    ----------
    features : (n_users, n_features) today's feature rows (what serving uses)
    has_columns, lacks_columns : (n_capabilities,) their ``has=`` / ``lacks=`` columns in ``features``
    capability_since : (n_users, n_capabilities) epoch seconds from which the merchant has it; ``inf``: never
    capability_module : (n_users, n_capabilities) item index whose completion brought it; ``-1``: declared or
        detected by a diagnostic
    maturity_columns : (n_themes,) the ``maturity=`` columns
    maturity_since : (n_users,) time of the merchant's diagnostic (``inf``: none); before it, maturity is unknown
    unknown_maturity : value of a maturity column before any diagnostic
    first_times : (n_users, n_items) CSR, first event time of each pair (:func:`first_event_times`)
    """

    features: np.ndarray
    has_columns: np.ndarray
    lacks_columns: np.ndarray
    capability_since: np.ndarray
    capability_module: np.ndarray
    maturity_columns: np.ndarray
    maturity_since: np.ndarray
    unknown_maturity: float
    first_times: sp.csr_matrix

    @classmethod
    def static(cls, features, merchant_featurizer, *, n_items: int) -> ProfileTimeline:
        """A timeline where nothing ever changed (every capability and maturity known since forever)."""
        F = np.asarray(features, dtype=np.float64)
        has_cols = merchant_featurizer.columns("has")
        return cls(
            features=F,
            has_columns=has_cols,
            lacks_columns=merchant_featurizer.columns("lacks"),
            capability_since=np.where(F[:, has_cols] > 0, -np.inf, np.inf),
            capability_module=np.full((F.shape[0], has_cols.size), -1, dtype=np.intp),
            maturity_columns=merchant_featurizer.columns("maturity"),
            maturity_since=np.full(F.shape[0], -np.inf),
            unknown_maturity=float(merchant_featurizer.unknown_maturity),
            first_times=sp.csr_matrix((F.shape[0], n_items), dtype=np.float64),
        )

    @property
    def shape(self) -> tuple[int, int]:
        return self.features.shape

    def check(self, n_users: int) -> ProfileTimeline:
        if self.features.shape[0] != n_users:
            raise ValueError(f"the profile timeline has {self.features.shape[0]} merchants, X has {n_users}")
        return self

    def features_at(self, users, times, X) -> np.ndarray:
        """Feature rows of ``users`` at ``times`` (epoch seconds, ``inf`` = now) given the interactions ``X``."""
        users = np.asarray(users, dtype=np.intp)
        times = np.broadcast_to(np.asarray(times, dtype=np.float64), users.shape)
        F = self.features[users].copy()
        if not users.size:
            return F
        since = self.capability_since[users]
        had = (since <= times[:, None]) & (since < np.inf)
        module = self.capability_module[users]
        acquired = had & (module >= 0)
        if acquired.any():
            r, c = np.nonzero(acquired)
            X = sp.csr_matrix(X)
            done = np.asarray(X[users[r], module[r, c]]).ravel() > 0
            had[r[~done], c[~done]] = False
        F[:, self.has_columns] = had
        F[:, self.lacks_columns] = ~had
        unknown = self.maturity_since[users] > times
        if unknown.any() and self.maturity_columns.size:
            F[np.ix_(np.flatnonzero(unknown), self.maturity_columns)] = self.unknown_maturity
        return F

    def given_history(self, users, X) -> np.ndarray:
        """Today's rows of ``users`` had they done only the interactions of ``X`` (evaluation's profiles)."""
        users = np.asarray(users, dtype=np.intp)
        return self.features_at(users, np.full(users.size, np.inf), X)

    def training_times(self, X, rows, cols, *, random_state=None) -> np.ndarray:
        """The time of each training pair ``(rows[p], cols[p])``: its first event when ``X`` has it, else the
        first event of one of the merchant's interactions in ``X`` drawn at random (a merchant without any
        gets ``inf``: their profile given no interaction)."""
        X = sp.csr_matrix(X)
        rows, cols = np.asarray(rows, dtype=np.intp), np.asarray(cols, dtype=np.intp)
        Xs = X.copy()
        Xs.sort_indices()
        first = sp.csr_matrix(self.first_times)
        coo_r = np.repeat(np.arange(Xs.shape[0]), np.diff(Xs.indptr))
        entry_times = np.asarray(first[coo_r, Xs.indices]).ravel() if Xs.nnz else np.zeros(0)
        # A pair in X with no recorded first event (hand-made data) counts as always known.
        entry_times = np.where(entry_times > 0, entry_times, -np.inf)
        starts, counts = Xs.indptr[rows], np.diff(Xs.indptr)[rows]
        rng = np.random.default_rng(random_state)
        draw = starts + np.floor(rng.random(rows.size) * np.maximum(counts, 1)).astype(np.intp)
        times = np.where(counts > 0, entry_times[np.minimum(draw, max(Xs.nnz - 1, 0))] if Xs.nnz else np.inf, np.inf)
        # Pairs present in X: their own first event.
        if Xs.nnz:
            key_x = coo_r.astype(np.int64) * X.shape[1] + Xs.indices
            key = rows.astype(np.int64) * X.shape[1] + cols
            where = np.searchsorted(key_x, key)
            where = np.minimum(where, key_x.size - 1)
            present = key_x[where] == key
            times = np.where(present, entry_times[where], times)
        return times
