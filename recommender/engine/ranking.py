"""Business rules applied after scoring: what may be shown, in which order, with which flags.

Scores say what a merchant would like; ranking makes the list usable: nothing already done or
dismissed, prerequisites before what needs them, editorial highlights within their dates, a mix of
themes in the top, and a little room to try modules nobody has seen yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "EpsilonGreedyExploration",
    "ThompsonExploration",
    "RankedItem",
    "Ranking",
    "active_boosts",
    "rank",
]


def active_boosts(weights, *, starts=None, ends=None, now: float) -> np.ndarray:
    """Editorial boost of each item at ``now`` (epoch seconds): its weight inside ``[start, end]``, else 0.

    ``starts`` / ``ends`` are epoch seconds with NaN for an open bound (no start / no end).
    """
    w = np.asarray(weights, dtype=np.float64)
    active = np.ones(w.shape, dtype=bool)
    if starts is not None:
        s = np.asarray(starts, dtype=np.float64)
        active &= np.isnan(s) | (s <= now)
    if ends is not None:
        e = np.asarray(ends, dtype=np.float64)
        active &= np.isnan(e) | (now <= e)
    return np.where(active, w, 0.0)


@dataclass(frozen=True)
class EpsilonGreedyExploration:
    """With probability ``epsilon``, the last slot of the top-k goes to an under-exposed item.

    An item is under-exposed when it has fewer than ``max_impressions`` impressions; the one shown is drawn
    uniformly among the eligible under-exposed items not already in the list. The rest of the list is
    untouched, so exploration costs at most one slot in ``1 / epsilon`` lists.
    """

    impressions: np.ndarray  # (n_items,) how often each item was shown
    epsilon: float = 0.1
    max_impressions: int = 50

    def explore(self, scores: np.ndarray, candidates: np.ndarray, k: int, rng: np.random.Generator):
        explored = np.zeros(scores.shape, dtype=bool)
        if rng.random() >= self.epsilon or candidates.sum() <= 1:
            return scores, explored
        eligible = candidates.copy()
        order = np.argsort(-np.where(candidates, scores, -np.inf), kind="stable")
        top = order[: max(k - 1, 0)]
        eligible[top] = False  # an item already in the list needs no help
        eligible &= np.asarray(self.impressions) < self.max_impressions
        if not eligible.any():
            return scores, explored
        pick = rng.choice(np.flatnonzero(eligible))
        scores = scores.copy()
        # Just above the (k-1)-th item: it lands in the last slot of the top-k.
        kth = scores[order[min(k - 1, candidates.sum() - 1)]] if k >= 1 else scores.max()
        scores[pick] = max(scores[pick], kth + 1e-9)
        explored[pick] = True
        return scores, explored


@dataclass(frozen=True)
class ThompsonExploration:
    """A Thompson-sampling bonus for items with few impressions.

    For each item with fewer than ``max_impressions`` impressions, draw its completion rate
    ``θ ~ Beta(prior_a + completions, prior_b + impressions - completions)`` and add
    ``weight * (θ - pooled rate)`` to its score, where the pooled rate is the completion rate over all
    impressions. A new item's Beta is wide, so it sometimes draws high and gets shown; as impressions
    accumulate the draws concentrate on its real rate, and past ``max_impressions`` the model's own score
    (which by then has learned from the engagement) decides alone. ``weight`` is in score units: with
    the hybrid's z-scores, 2 lets a promising newcomer compete with the top.
    """

    impressions: np.ndarray
    completions: np.ndarray
    weight: float = 2.0
    max_impressions: int = 50
    prior_a: float = 1.0
    prior_b: float = 1.0

    def explore(self, scores: np.ndarray, candidates: np.ndarray, k: int, rng: np.random.Generator):
        n = np.asarray(self.impressions, dtype=np.float64)
        c = np.minimum(np.asarray(self.completions, dtype=np.float64), n)
        theta = rng.beta(self.prior_a + c, self.prior_b + n - c)
        pooled = (self.prior_a + c.sum()) / (self.prior_a + self.prior_b + n.sum())
        under = candidates & (n < self.max_impressions)
        bonus = np.where(under, self.weight * (theta - pooled), 0.0)
        new_scores = scores + bonus
        # "Explored" = the bonus changed the item's fate: in the top-k now, not without it.
        top_before = set(np.argsort(-np.where(candidates, scores, -np.inf), kind="stable")[:k].tolist())
        top_after = np.argsort(-np.where(candidates, new_scores, -np.inf), kind="stable")[:k]
        explored = np.zeros(scores.shape, dtype=bool)
        explored[[i for i in top_after.tolist() if i not in top_before]] = True
        return new_scores, explored


@dataclass(frozen=True)
class RankedItem:
    """One recommendation and why it sits where it does."""

    item: int
    score: float  # final score after boosts and exploration
    boosted: bool = False
    explored: bool = False
    #: capability indices the item requires and the user lacks
    missing_prerequisites: tuple[int, ...] = ()
    #: items that build a missing prerequisite: placed before this one in the list, or (if none is in
    #: the list) the best-scoring candidates outside it
    blocked_by: tuple[int, ...] = ()
    #: True when every missing prerequisite is built by an item placed earlier in the list
    prerequisites_in_list: bool = True
    #: True when the user already has every capability the item builds: not a next step, so it comes after
    #: every other candidate (only there when nothing else is left)
    already_known: bool = False


@dataclass(frozen=True)
class Ranking:
    """The ordered recommendations; ``items`` is the same order as an int array."""

    entries: tuple[RankedItem, ...] = field(default_factory=tuple)

    @property
    def items(self) -> np.ndarray:
        return np.array([e.item for e in self.entries], dtype=np.intp)

    def __len__(self) -> int:
        return len(self.entries)


def _as_bool_matrix(a, n_items, name):
    a = np.asarray(a, dtype=bool)
    if a.ndim != 2 or a.shape[0] != n_items:
        raise ValueError(f"{name} must have shape (n_items, n_capabilities), got {a.shape}")
    return a


def rank(
    scores,
    *,
    exclude_mask=None,
    required_caps=None,
    user_caps=None,
    builds_caps=None,
    boosts=None,
    item_themes=None,
    k: int = 10,
    diversity: int | None = None,
    exploration=None,
    random_state=None,
) -> Ranking:
    """Rank one user's items under EleaSud's rules.

    Parameters
    ----------
    scores : array of shape (n_items,)
        Model scores for one user (e.g. one row of ``HybridRecommender.score``).
    exclude_mask : bool array (n_items,), optional
        Items never to recommend (completed or dismissed).
    required_caps, builds_caps : bool arrays (n_items, n_capabilities), optional
        Capabilities each item requires / builds.
    user_caps : bool array (n_capabilities,), optional
        Capabilities the user has.
    boosts : float array (n_items,), optional
        Editorial boosts already active today (see :func:`active_boosts`), added to the scores.
    item_themes : int array (n_items,), optional
        Theme of each item, for diversity.
    k : int
        Length of the list.
    diversity : int or None
        At most this many items of one theme in the list, as long as other themes have candidates left
        (the list is then filled in score order, so it is never shorter than the candidates allow).
    exploration : EpsilonGreedyExploration, ThompsonExploration or None
        Any object with ``explore(scores, candidates, k, rng) -> (scores, explored_mask)``.
    random_state : int, Generator or None
        Seeds exploration; the same seed gives the same list. Ties are broken by item index.

    Rules, in order: excluded items are dropped; items that build only capabilities the user already has
    (``already_known``) go after every other candidate and are never explored; boosts are added; exploration
    adjusts scores; the top ``k`` is chosen in score order under the per-theme cap; then an item whose required capabilities the
    user lacks is moved after the items in the list that build them (a stable topological order, so
    nothing else moves). If no item in the list builds a missing capability, the item stays where it is,
    flagged with ``prerequisites_in_list=False`` and ``blocked_by`` naming the best candidates that
    build it, so the caller can say "do this first".
    """
    s = np.asarray(scores, dtype=np.float64).ravel()
    n = s.size
    if not np.isfinite(s).all():
        raise ValueError("scores must be finite (exclude items with exclude_mask, not with -inf)")
    rng = np.random.default_rng(random_state)
    candidates = np.ones(n, dtype=bool) if exclude_mask is None else ~np.asarray(exclude_mask, dtype=bool).ravel()
    if candidates.size != n:
        raise ValueError(f"exclude_mask has {candidates.size} entries, scores has {n}")

    boosted = np.zeros(n, dtype=bool)
    if boosts is not None:
        b = np.asarray(boosts, dtype=np.float64).ravel()
        if b.size != n:
            raise ValueError(f"boosts has {b.size} entries, scores has {n}")
        s = s + b
        boosted = b > 0

    builds = None if builds_caps is None else _as_bool_matrix(builds_caps, n, "builds_caps")
    known = np.zeros(n, dtype=bool)
    if builds is not None and user_caps is not None:
        have_all = np.asarray(user_caps, dtype=bool).ravel()
        known = builds.any(axis=1) & ~(builds & ~have_all).any(axis=1)
    # What the user already knows is not a next step: never explored into the list, placed after every other
    # candidate (the theme cap and exploration work among the others first).
    fresh = candidates & ~known

    explored = np.zeros(n, dtype=bool)
    if exploration is not None and fresh.any():
        s, explored = exploration.explore(s, fresh, k, rng)

    # Candidates in score order (ties: lower item index first), known items last.
    order = np.flatnonzero(candidates)
    order = order[np.lexsort((-s[order], known[order]))]
    n_fresh = int(fresh.sum())
    chosen = _pick_with_diversity(order[:n_fresh], item_themes, k, diversity)
    if len(chosen) < k:
        chosen += _pick_with_diversity(order[n_fresh:], item_themes, k - len(chosen), diversity)

    missing = None
    if required_caps is not None:
        req = _as_bool_matrix(required_caps, n, "required_caps")
        have = np.zeros(req.shape[1], dtype=bool) if user_caps is None else np.asarray(user_caps, dtype=bool).ravel()
        missing = req & ~have  # (n_items, n_caps)

    entries = []
    if missing is None or builds is None or not missing[chosen].any():
        for i in chosen:
            caps = () if missing is None else tuple(np.flatnonzero(missing[i]).tolist())
            entries.append(
                RankedItem(int(i), float(s[i]), bool(boosted[i]), bool(explored[i]), caps, (), not caps, bool(known[i]))
            )
        return Ranking(tuple(entries))

    chosen = _prerequisites_first(chosen, missing, builds)
    position = {int(i): p for p, i in enumerate(chosen)}
    in_list = np.zeros(n, dtype=bool)
    in_list[chosen] = True
    for i in chosen:
        caps = np.flatnonzero(missing[i])
        builders_in_list = [j for j in np.flatnonzero(builds[:, caps].any(axis=1) & in_list) if j != i]
        before = [int(j) for j in builders_in_list if position[int(j)] < position[int(i)]]
        covered = builds[before][:, caps].any(axis=0) if before else np.zeros(caps.size, dtype=bool)
        satisfied = bool(covered.all())
        if satisfied or caps.size == 0:
            blocked = tuple(sorted(before, key=position.get))
        else:
            # Nobody in the list builds it: point at the best candidates outside the list that do.
            outside = np.flatnonzero(builds[:, caps[~covered]].any(axis=1) & candidates & ~in_list)
            outside = outside[np.argsort(-s[outside], kind="stable")][:3]
            blocked = tuple(sorted(before, key=position.get)) + tuple(int(j) for j in outside)
        entries.append(
            RankedItem(
                int(i),
                float(s[i]),
                bool(boosted[i]),
                bool(explored[i]),
                tuple(caps.tolist()),
                blocked,
                satisfied or caps.size == 0,
                bool(known[i]),
            )
        )
    return Ranking(tuple(entries))


def _pick_with_diversity(order: np.ndarray, themes, k: int, max_per_theme: int | None) -> list[int]:
    if themes is None or max_per_theme is None:
        return order[:k].tolist()
    themes = np.asarray(themes).ravel()
    counts: dict[int, int] = {}
    picked, skipped = [], []
    for i in order.tolist():
        if len(picked) == k:
            break
        t = int(themes[i])
        if counts.get(t, 0) < max_per_theme:
            picked.append(i)
            counts[t] = counts.get(t, 0) + 1
        else:
            skipped.append(i)
    # Not enough variety among the candidates: fill with the best of the rest rather than a short list.
    picked += skipped[: k - len(picked)]
    return _restore_score_order(picked, order)


def _restore_score_order(picked: list[int], order: np.ndarray) -> list[int]:
    rank_of = {int(i): r for r, i in enumerate(order.tolist())}
    return sorted(picked, key=rank_of.__getitem__)


def _prerequisites_first(chosen: list[int], missing: np.ndarray, builds: np.ndarray) -> list[int]:
    """Stable topological order: each item after the in-list items that build what it misses.

    Among items whose dependencies are placed, the one earliest in score order goes next; a cycle
    (each builds what the other needs) is broken by score order.
    """
    chosen = list(chosen)
    deps = {i: {j for j in chosen if j != i and (builds[j] & missing[i]).any()} for i in chosen}
    placed: list[int] = []
    remaining = chosen[:]
    while remaining:
        ready = next((i for i in remaining if deps[i] <= set(placed)), remaining[0])
        placed.append(ready)
        remaining.remove(ready)
    return placed
