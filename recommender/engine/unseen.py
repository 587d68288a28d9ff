"""Scores for items published after a model was fitted: its content part on their features, on the scale of
the model's own scores (what serving needs for a module newer than the active version)."""

from __future__ import annotations

import numpy as np

from .content import ContentRecommender
from .hybrid import HybridRecommender

__all__ = ["content_part", "score_unseen_items"]


def content_part(model):
    """The fitted content estimator of ``model`` (itself, or a hybrid's), or ``None``."""
    if isinstance(model, HybridRecommender):
        return model.content_
    return model if isinstance(model, ContentRecommender) else None


def _interaction_weights(content: ContentRecommender, n_user_features: int) -> np.ndarray:
    W = getattr(content, "_interaction_weights_cache", None)
    if W is None or W.shape[0] != n_user_features:
        W = np.zeros((n_user_features, content.item_features_.shape[1]))
        np.add.at(W, (content.pairs_[:, 0], content.pairs_[:, 1]), content.interaction_coef_)
        content._interaction_weights_cache = W  # not a fitted attribute: derived, rebuilt after unpickling
    return W


def score_unseen_items(model, user_features, history_row, item_features, known_scores) -> np.ndarray:
    """Scores of unseen items (rows of ``item_features``) for one merchant (``user_features`` 1 × f,
    ``history_row`` their history over the fitted items, ``known_scores`` the model's scores of those).

    The content part's logits for the new items; for a hybrid, z-scored against the content logits of the
    known items and multiplied by the content weight, as the blend does. Without a content part, just below
    the known items (exploration may lift them)."""
    content = content_part(model)
    V = np.asarray(item_features, dtype=np.float64)
    if content is None:
        floor = float(np.min(known_scores)) if np.size(known_scores) else 0.0
        return np.full(V.shape[0], floor)
    U = np.atleast_2d(np.asarray(user_features, dtype=np.float64))
    logits_new = (U @ _interaction_weights(content, U.shape[1]) @ V.T).ravel() + V @ content.item_coef_
    logits_new += content.intercept_
    if not isinstance(model, HybridRecommender):
        return logits_new
    logits_known = content.score(history_row, user_features=U).ravel()
    std = logits_known.std() or 1.0
    weight = float(model.blend_weights(history_row)["content"][0])
    return weight * (logits_new - logits_known.mean()) / std
