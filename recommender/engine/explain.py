"""Reasons in plain French for each recommendation, computed from what actually drove its score.

A reason is only given when the term behind it pushed the module up for this merchant: the
content model's largest positive feature interactions, the history item that contributed most to
the collaborative score (or to the content model's history terms), popularity in the merchant's sector, an editorial boost. Labels (feature
names → French, module titles) are passed in, so this module knows nothing of the database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .collaborative import CollaborativeRecommender
from .content import ContentRecommender
from .features import split_feature_name
from .hybrid import HybridRecommender
from .popularity import PopularityRecommender

__all__ = ["Reason", "ReasonVocabulary", "CONTENT_TEMPLATES", "explain"]


@dataclass(frozen=True)
class Reason:
    text: str
    source: str  # "content", "collaborative", "popularity", "editorial" or "fallback"
    strength: float  # its share of the blended score, in score units; reasons are sorted by it


@dataclass(frozen=True)
class ReasonVocabulary:
    """What turns column indices into words: feature names (``"group=slug"``), their labels, titles."""

    user_feature_names: Sequence[str]
    item_feature_names: Sequence[str]
    labels: Mapping[str, str]  # feature name → French label (e.g. from features.feature_labels)
    item_titles: Sequence[str]

    def label(self, name: str) -> str:
        return self.labels.get(name, split_feature_name(name)[1] or name)


#: (merchant feature group, module feature group, same slug required, template). ``{user}`` and
#: ``{item}`` are the French labels of the two features. Interactions without a template (e.g. size ×
#: duration) still count in the score; they are just not worded.
CONTENT_TEMPLATES: tuple[tuple[str, str, bool, str], ...] = (
    ("goal", "goal", True, "Correspond à votre objectif « {user} »"),
    ("lacks", "builds", True, "Vous donne une compétence qui vous manque : {item}"),
    ("sector", "sector", True, "Conçu pour votre secteur : {user}"),
    ("has", "requires", True, "Vous avez déjà ce qu'il faut pour le suivre : {item}"),
    ("goal", "theme", False, "Correspond à votre objectif « {user} »"),
    ("goal", "builds", False, "Correspond à votre objectif « {user} »"),
    ("sector", "theme", False, "Adapté aux commerces de votre secteur : {user}"),
    ("sector", "builds", False, "Adapté aux commerces de votre secteur : {user}"),
    ("sector", "all_sectors", False, "Adapté aux commerces de votre secteur : {user}"),
    ("maturity", "level", False, "À votre niveau en « {user} »"),
    ("size", "cost", False, "Adapté à la taille de votre commerce"),
    ("size", "level", False, "Adapté à la taille de votre commerce"),
)

COLLABORATIVE_TEMPLATE = "Les commerçants qui ont suivi « {title} » ont souvent suivi ce module"
POPULARITY_SEGMENT_TEMPLATE = "Très suivi par les commerçants de votre secteur"
POPULARITY_TEMPLATE = "Très suivi par les commerçants"
EDITORIAL_TEMPLATE = "Mis en avant par l'équipe éditoriale"
FALLBACK_TEMPLATE = "Un module utile pour avancer"


def _template_index(templates):
    return {(ug, ig): (same, text) for ug, ig, same, text in templates}


def _content_reasons(model: ContentRecommender, u, x, item, strength, vocab, templates):
    if strength <= 0:
        return []
    cols_u, cols_i, contrib = model.interaction_terms(u, item)
    positive = contrib > 0
    # History terms (``history_features=True``) share the content strength with the profile terms, and
    # are worded like the collaborative model's: the history item that pushed the module up most.
    history = model.history_contributions(x, item)
    j = int(np.argmax(history))
    total = contrib[positive].sum() + max(history[j], 0.0)
    if total <= 0:
        return []
    found = []
    if history[j] > 0:
        text = COLLABORATIVE_TEMPLATE.format(title=vocab.item_titles[j])
        found.append(Reason(text, "collaborative", float(strength * history[j] / total)))
    # One reason per merchant feature: its strongest worded term gives the text, all its terms the strength
    # (so "your sector" is said once, whichever module features it met).
    by_feature: dict[int, Reason] = {}
    for a, b, c in zip(cols_u[positive], cols_i[positive], contrib[positive], strict=False):
        un, iname = vocab.user_feature_names[a], vocab.item_feature_names[b]
        (ug, us), (ig, islug) = split_feature_name(un), split_feature_name(iname)
        entry = templates.get((ug, ig))
        if entry is None or (entry[0] and us != islug):
            continue
        part = float(strength * c / total)
        prev = by_feature.get(int(a))
        if prev is None:
            text = entry[1].format(user=vocab.label(un), item=vocab.label(iname))
            by_feature[int(a)] = Reason(text, "content", part)
        else:
            by_feature[int(a)] = Reason(prev.text, "content", prev.strength + part)
    return found + list(by_feature.values())


def _collaborative_reasons(model: CollaborativeRecommender, x, item, strength, vocab):
    if strength <= 0:
        return []
    contrib = model.history_contributions(x, item)
    j = int(np.argmax(contrib))
    if contrib[j] <= 0:
        return []
    return [Reason(COLLABORATIVE_TEMPLATE.format(title=vocab.item_titles[j]), "collaborative", float(strength))]


def _popularity_reason(model: PopularityRecommender, u, strength):
    if strength <= 0:
        return []
    segmented = model.segment_popularity_ is not None and u is not None and u[np.asarray(model.segment_columns)].any()
    return [Reason(POPULARITY_SEGMENT_TEMPLATE if segmented else POPULARITY_TEMPLATE, "popularity", float(strength))]


def explain(
    model,
    items: Sequence[int],
    *,
    history_row,
    user_features_row,
    vocabulary: ReasonVocabulary,
    boosts=None,
    max_reasons: int = 3,
    templates=CONTENT_TEMPLATES,
) -> list[list[Reason]]:
    """Between 1 and ``max_reasons`` reasons for each of ``items``, strongest first.

    ``model`` is a fitted :class:`HybridRecommender` (each component's share of an item's blended score
    is ``weight × normalised component score``; a component that pulled the item down gives no reason)
    or a single fitted component. Within the content share, each positive interaction term gets a part
    proportional to its contribution to the logit. Reasons with the same text are merged. When nothing
    pushed an item up (it is there by elimination), a neutral fallback reason is given.
    """
    x = sp.csr_matrix(history_row if sp.issparse(history_row) else np.atleast_2d(np.asarray(history_row, float)))
    x_dense = x.toarray().ravel()
    u = None if user_features_row is None else np.asarray(user_features_row, dtype=np.float64).ravel()
    tmpl = _template_index(templates)
    boosts = None if boosts is None else np.asarray(boosts, dtype=np.float64).ravel()

    if isinstance(model, HybridRecommender):
        parts = model.component_scores(x, user_features=u[None, :])
        weights = model.blend_weights(x)
        share = {name: weights[name][0] * parts[name][0] for name in parts}
        content, collab, pop = model.content_component(x), model.collaborative_, model.popularity_
    else:
        ones = np.ones(model.n_items_)
        share = {"content": ones, "collaborative": ones, "popularity": ones}
        content = model if isinstance(model, ContentRecommender) else None
        collab = model if isinstance(model, CollaborativeRecommender) else None
        pop = model if isinstance(model, PopularityRecommender) else None

    result = []
    for item in items:
        item = int(item)
        found: list[Reason] = []
        if content is not None and u is not None:
            found += _content_reasons(content, u, x_dense, item, share["content"][item], vocabulary, tmpl)
        if collab is not None:
            found += _collaborative_reasons(collab, x_dense, item, share["collaborative"][item], vocabulary)
        if pop is not None:
            found += _popularity_reason(pop, u, share["popularity"][item])
        if boosts is not None and boosts[item] > 0:
            found.append(Reason(EDITORIAL_TEMPLATE, "editorial", float(boosts[item])))
        merged: dict[str, Reason] = {}
        for r in found:
            prev = merged.get(r.text)
            merged[r.text] = r if prev is None else Reason(r.text, prev.source, prev.strength + r.strength)
        ordered = sorted(merged.values(), key=lambda r: -r.strength)[:max_reasons]
        result.append(ordered or [Reason(FALLBACK_TEMPLATE, "fallback", 0.0)])
    return result
