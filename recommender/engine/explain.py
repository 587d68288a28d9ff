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
    #: what makes the text true, checkable against the data (see :data:`FACTS`)
    fact: tuple = ()


#: The facts a reason may state, and what must hold for it (``u`` the merchant, ``i`` the module):
FACTS = {
    "goal": "(goal slug): the goal is one of u's goals and one of i's goals",
    "sector": "(sector slug): it is u's sector and i targets it",
    "lacks-builds": "(capability slug): u does not have it and i builds it",
    "has-requires": "(capability slug): u has it and i requires it",
    "level": "(theme slug): it is i's theme, u's diagnostic scored it, and i's level is u's level there",
    "co-engaged": "(item index): u engaged with that item, and some merchant engaged with both it and i",
    "popular-segment": "(segment column): u is in the segment, i is in the top third there with >= min_count merchants",
    "popular": "(): i is in the top third of all modules with >= min_count merchants",
    "editorial": "(): i has an active editorial boost",
    "fallback": "(): nothing specific: a neutral text that claims nothing",
}


@dataclass(frozen=True)
class ReasonVocabulary:
    """What turns column indices into words: feature names (``"group=slug"``), their labels, titles."""

    user_feature_names: Sequence[str]
    item_feature_names: Sequence[str]
    labels: Mapping[str, str]  # feature name → French label (e.g. from features.feature_labels)
    item_titles: Sequence[str]

    def label(self, name: str) -> str:
        return self.labels.get(name, split_feature_name(name)[1] or name)


GOAL_TEMPLATE = "Correspond à votre objectif « {label} »"
LACKS_TEMPLATE = "Vous donne une compétence qui vous manque : {label}"
SECTOR_TEMPLATE = "Conçu pour votre secteur : {label}"
REQUIRES_TEMPLATE = "Vous avez déjà ce qu'il faut pour le suivre : {label}"
LEVEL_TEMPLATE = "À votre niveau en « {label} », d'après votre autodiagnostic"
#: Kept for compatibility with callers that pass ``templates``; the wording now follows the fact stated.
CONTENT_TEMPLATES: tuple[tuple[str, str, bool, str], ...] = (
    ("goal", "goal", True, GOAL_TEMPLATE),
    ("lacks", "builds", True, LACKS_TEMPLATE),
    ("sector", "sector", True, SECTOR_TEMPLATE),
    ("has", "requires", True, REQUIRES_TEMPLATE),
    ("maturity", "level", False, LEVEL_TEMPLATE),
)

COLLABORATIVE_TEMPLATE = "Des commerçants qui ont suivi « {title} » ont aussi suivi ce module"
SIMILAR_MERCHANTS_TEMPLATE = (
    "Des commerçants comme vous ont suivi ce module (comme vous, ils avaient suivi « {title} »)"
)
POPULARITY_SEGMENT_TEMPLATE = "Très suivi par les commerçants de votre secteur"
POPULARITY_TEMPLATE = "Très suivi par les commerçants"
EDITORIAL_TEMPLATE = "Mis en avant par l'équipe éditoriale"
FALLBACK_TEMPLATE = "Un module utile pour avancer"
#: Fewest merchants behind a popularity claim (a small cell says nothing, and could single someone out).
POPULARITY_MIN_COUNT = 5


def level_index(maturity: float, n_levels: int) -> int:
    """The level (0 = easiest) matching a maturity score in [0, 1]: the scale cut into ``n_levels`` equal bands."""
    return min(int(float(maturity) * n_levels), n_levels - 1)


class _Item:
    """The facts about one module read from its feature row (names ``group=slug``)."""

    def __init__(self, names, row):
        on = [split_feature_name(names[c]) for c in np.flatnonzero(row)]
        self.groups: dict[str, set[str]] = {}
        for group, slug in on:
            self.groups.setdefault(group, set()).add(slug)
        levels = [split_feature_name(n)[1] for n in names if split_feature_name(n)[0] == "level"]
        level = next(iter(self.groups.get("level", ())), None)
        self.n_levels = len(levels)
        self.level = levels.index(level) if level in levels else None
        self.theme = next(iter(self.groups.get("theme", ())), None)

    def has(self, group: str, slug: str) -> bool:
        return slug in self.groups.get(group, ())


def _content_fact(ug, us, ig, islug, item: _Item, u_value, known_maturity):
    """The fact a positive (merchant feature, module feature) term may state, or ``None``: the model's
    cross terms (e.g. "merchants with this goal like this theme") are used for scoring but only worded when
    the plain fact holds for this merchant and this module."""
    if ug == "goal" and item.has("goal", us):
        return ("goal", us)
    if ug == "sector" and item.has("sector", us):
        return ("sector", us)
    if ug == "lacks" and ig == "builds" and us == islug:
        return ("lacks-builds", us)
    if ug == "has" and ig == "requires" and us == islug:
        return ("has-requires", us)
    if (
        ug == "maturity"
        and us == item.theme
        and us in known_maturity
        and item.level is not None
        and level_index(u_value, item.n_levels) == item.level
    ):
        return ("level", us)
    return None


def _fact_text(fact, vocab) -> str:
    kind, slug = fact
    if kind == "goal":
        return GOAL_TEMPLATE.format(label=vocab.label(f"goal={slug}"))
    if kind == "sector":
        return SECTOR_TEMPLATE.format(label=vocab.label(f"sector={slug}"))
    if kind == "lacks-builds":
        return LACKS_TEMPLATE.format(label=vocab.label(f"builds={slug}"))
    if kind == "has-requires":
        return REQUIRES_TEMPLATE.format(label=vocab.label(f"requires={slug}"))
    return LEVEL_TEMPLATE.format(label=vocab.label(f"theme={slug}"))


def _co_engaged(model, j: int, item: int) -> bool:
    """Whether some merchant engaged with both ``j`` and ``item`` in the model's training data (when known)."""
    cooc = getattr(model, "cooccurrence_", None)
    return True if cooc is None else bool(cooc[j, item] > 0)


def _collaborative_reason(contrib, model, item, strength, vocab, dominant):
    candidates = np.flatnonzero(contrib > 0)
    candidates = [
        int(j) for j in candidates[np.argsort(-contrib[candidates], kind="stable")] if _co_engaged(model, j, item)
    ]
    if not candidates:
        return []
    j = candidates[0]
    template = SIMILAR_MERCHANTS_TEMPLATE if dominant else COLLABORATIVE_TEMPLATE
    return [Reason(template.format(title=vocab.item_titles[j]), "collaborative", float(strength), ("co-engaged", j))]


def _content_parts(model: ContentRecommender, u, x, item, strength, vocab, known_maturity):
    """Split the content share of ``item`` into its history part (per history item) and its profile facts."""
    if strength <= 0:
        return np.zeros_like(x), {}
    cols_u, cols_i, contrib = model.interaction_terms(u, item)
    positive = contrib > 0
    # History terms (``history_features=True``) share the content strength with the profile terms: what
    # merchants who followed the same modules did, like the collaborative model.
    history = np.maximum(model.history_contributions(x, item), 0.0)
    total = contrib[positive].sum() + history.sum()
    if total <= 0:
        return np.zeros_like(x), {}
    facts: dict[tuple, float] = {}
    item_facts = _Item(vocab.item_feature_names, model.item_features_[item])
    for a, b, c in zip(cols_u[positive], cols_i[positive], contrib[positive], strict=False):
        (ug, us), (ig, islug) = (
            split_feature_name(vocab.user_feature_names[a]),
            split_feature_name(vocab.item_feature_names[b]),
        )
        fact = _content_fact(ug, us, ig, islug, item_facts, u[a], known_maturity)
        if fact is not None:
            facts[fact] = facts.get(fact, 0.0) + float(strength * c / total)
    return strength * history / total, facts


def _popularity_reason(model: PopularityRecommender, u, item, strength, vocab):
    if strength <= 0:
        return []
    n_users = getattr(model, "n_users_", None)
    counts = getattr(model, "global_counts_", None)
    seg_counts = getattr(model, "segment_counts_", None)
    if model.segment_popularity_ is not None and u is not None and seg_counts is not None:
        cols = np.asarray(model.segment_columns, dtype=np.intp).ravel()
        active = np.flatnonzero(u[cols] > 0)
        if active.size == 1:
            s = int(active[0])
            row = seg_counts[s]
            if row[item] >= POPULARITY_MIN_COUNT and row[item] >= np.quantile(row, 2 / 3):
                return [
                    Reason(
                        POPULARITY_SEGMENT_TEMPLATE, "popularity", float(strength), ("popular-segment", int(cols[s]))
                    )
                ]
    if counts is not None and n_users and counts[item] >= max(POPULARITY_MIN_COUNT, np.quantile(counts, 2 / 3)):
        return [Reason(POPULARITY_TEMPLATE, "popularity", float(strength), ("popular",))]
    return []


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
    known_maturity=(),
) -> list[list[Reason]]:
    """Between 1 and ``max_reasons`` reasons for each of ``items``, strongest first.

    ``model`` is a fitted :class:`HybridRecommender` (each component's share of an item's blended score
    is ``weight × normalised component score``; a component that pulled the item down gives no reason)
    or a single fitted component. Within the content share, each positive interaction term gets a part
    proportional to its contribution to the logit. Reasons with the same text are merged. When nothing
    pushed an item up (it is there by elimination), a neutral fallback reason is given.

    Every reason states a fact about this merchant and this module (:data:`FACTS`, carried in
    ``Reason.fact``): a term of the model that pushed the module up is worded only when its fact holds —
    the goal is on both, the sector is the merchant's and the module's, the capability is lacked and built,
    the level matches a diagnostic score on the module's theme (``known_maturity``: the themes the
    merchant's diagnostic scored; none by default). When the collaborative share is the largest, its
    reason says so ("des commerçants comme vous").
    """
    x = sp.csr_matrix(history_row if sp.issparse(history_row) else np.atleast_2d(np.asarray(history_row, float)))
    x_dense = x.toarray().ravel()
    u = None if user_features_row is None else np.asarray(user_features_row, dtype=np.float64).ravel()
    known_maturity = set(known_maturity or ())
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
        shares = {name: max(float(share[name][item]), 0.0) for name in share}
        history, facts = np.zeros_like(x_dense), {}
        if content is not None and u is not None:
            history, facts = _content_parts(content, u, x_dense, item, shares["content"], vocabulary, known_maturity)
        collab_contrib = np.zeros_like(x_dense)
        if collab is not None and shares["collaborative"] > 0:
            contrib = np.maximum(collab.history_contributions(x_dense, item), 0.0)
            if contrib.sum() > 0:
                collab_contrib = shares["collaborative"] * contrib / contrib.sum()
        # Merchants like you (co-engagement: the collaborative model and the content model's history terms)
        # against the profile (the content model's profile terms) and popularity: the largest names the reason.
        like_you = history + collab_contrib
        profile_share = shares["content"] - history.sum()
        dominant = like_you.sum() > 0 and like_you.sum() >= max(profile_share, shares["popularity"])
        found: list[Reason] = [Reason(_fact_text(f, vocabulary), "content", v, f) for f, v in facts.items()]
        if like_you.sum() > 0:
            found += _collaborative_reason(like_you, collab, item, float(like_you.sum()), vocabulary, dominant)
        if pop is not None:
            found += _popularity_reason(pop, u, item, shares["popularity"], vocabulary)
        if boosts is not None and boosts[item] > 0:
            found.append(Reason(EDITORIAL_TEMPLATE, "editorial", float(boosts[item]), ("editorial",)))
        merged: dict[str, Reason] = {}
        for r in found:
            prev = merged.get(r.text)
            merged[r.text] = r if prev is None else Reason(r.text, prev.source, prev.strength + r.strength, prev.fact)
        ordered = sorted(merged.values(), key=lambda r: -r.strength)[:max_reasons]
        result.append(ordered or [Reason(FALLBACK_TEMPLATE, "fallback", 0.0, ("fallback",))])
    return result
