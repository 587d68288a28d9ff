"""Collaborative model over engagement: EASE, an item-item model with a closed-form fit.

A merchant's fresh history is folded in at request time (``score = X_rows @ B``): finishing a module
changes the next recommendations immediately, without retraining.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .base import BaseRecommender

__all__ = ["CollaborativeRecommender"]


class CollaborativeRecommender(BaseRecommender):
    """EASE (Steck, 2019): ``B = argmin ||X - X B||² + alpha ||B||²`` subject to ``diag(B) = 0``.

    The closed form is ``P = (XᵀX + alpha I)⁻¹`` and ``B_ij = -P_ij / P_jj`` (``B_jj = 0``), so an item
    cannot explain itself and the weights say how much engaging with ``i`` predicts engaging with ``j``.
    With catalogues of tens to a few thousand modules the ``n_items × n_items`` inverse is cheap.

    Parameters
    ----------
    alpha : float, default=100.0
        L2 regularisation. Larger values shrink item-item weights toward zero, which matters when few
        users co-engage. Tuned over ``{5, 20, 50, 100, 200, 500}`` on a held-out simulated population
        (seed 100, 2000 merchants, NDCG@5 of warm users): 100–200 best (0.384), flat within 0.002.
    binary : bool, default=False
        Use ``X > 0`` instead of the engagement weights. Weighted input lets a completion say more than a
        view; tuned: weighted beats binary by about 0.01–0.02 NDCG@5 at every ``alpha``.

    Attributes
    ----------
    item_weights_ : ndarray of shape (n_items, n_items)
        The matrix ``B``; ``item_weights_[j, i]`` is how much having engaged with ``j`` adds to ``i``.
    cooccurrence_ : sparse matrix of shape (n_items, n_items)
        How many training users engaged with both items (explanations only name pairs someone followed).
    """

    def __init__(self, alpha=100.0, binary=False):
        self.alpha = alpha
        self.binary = binary

    def _fit(self, X, user_features, item_features):
        if self.alpha <= 0:
            raise ValueError(f"alpha must be > 0 for a well-posed inverse, got {self.alpha}")
        engaged = sp.csr_matrix(X > 0, dtype=np.int32)
        # How many merchants engaged with both modules: what a reason naming a module pair must rest on.
        self.cooccurrence_ = sp.csr_matrix(engaged.T @ engaged)
        Xf = (X > 0).astype(np.float64) if self.binary else X
        G = (Xf.T @ Xf).toarray()
        G[np.diag_indices_from(G)] += self.alpha
        P = np.linalg.inv(G)
        B = -P / np.diag(P)[None, :]
        B[np.diag_indices_from(B)] = 0.0
        self.item_weights_ = B

    def _score(self, X_rows, user_features):
        Xr = (X_rows > 0).astype(np.float64) if self.binary else X_rows
        return np.asarray(Xr @ self.item_weights_)

    def history_contributions(self, history_row, item: int) -> np.ndarray:
        """Per history item, its contribution ``x_j * B[j, item]`` to the score of ``item`` (dense, n_items)."""
        self._check_fitted()
        x = np.asarray(history_row.toarray() if hasattr(history_row, "toarray") else history_row, dtype=np.float64)
        x = x.ravel()
        if self.binary:
            x = (x > 0).astype(np.float64)
        return x * self.item_weights_[:, item]
