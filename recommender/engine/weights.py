"""From engagement events to the interaction matrix the estimators learn from.

How much each kind of event says about a merchant's interest is a product decision, so it lives in
one documented, configurable place: :class:`EventWeights`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import scipy.sparse as sp

__all__ = [
    "EVENT_KINDS",
    "PROGRESS_KINDS",
    "EVENT_DTYPE",
    "EventWeights",
    "DEFAULT_EVENT_WEIGHTS",
    "events_to_array",
    "interactions_from_events",
    "last_event_times",
]

#: Event kinds, in the vocabulary of ``merchants.EngagementEvent.kind``.
EVENT_KINDS = ("viewed", "started", "step_completed", "completed", "rated", "bookmarked", "dismissed")
#: Kinds that measure how far a merchant went with a module; their weights are combined by ``max``.
PROGRESS_KINDS = ("viewed", "started", "step_completed", "completed")

#: Structured dtype of an events array (the simulator produces it; ``events_to_array`` builds it).
#: ``value`` is the rating for ``rated``, the step index for ``step_completed``, NaN otherwise;
#: ``occurred_at`` is in epoch seconds (UTC).
EVENT_DTYPE = np.dtype(
    [("user", np.int64), ("item", np.int64), ("kind", "U16"), ("value", np.float64), ("occurred_at", np.float64)]
)

_DAY = 86_400.0


@dataclass(frozen=True)
class EventWeights:
    """How each event kind contributes to the weight of a (merchant, module) pair.

    The weight of a pair is::

        max(progress weights of its events) + bookmarked + rating_step * (rating - rating_neutral)

    clipped at 0, where the progress kinds ``viewed < started < step_completed < completed`` are combined
    by ``max`` (finishing a module supersedes having opened it; ten views are not a completion), the
    bookmark bonus counts once, and the latest rating counts once (a 5 adds ``rating_step * 2``, a 1
    subtracts as much). With ``half_life_days`` set, every event's contribution is multiplied by
    ``0.5 ** (age_days / half_life_days)`` so that old interests fade.

    ``dismissed`` is negative evidence, which a non-negative matrix cannot hold: a pair whose latest
    dismissal is more recent than its latest other event gets weight 0 and is flagged in a separate
    ``dismissed`` mask (ranking excludes it). A merchant who comes back to a dismissed module after
    dismissing it has changed their mind, so the later events count and the mask is not set.
    """

    viewed: float = 1.0
    started: float = 2.0
    step_completed: float = 2.5
    completed: float = 4.0
    bookmarked: float = 1.5
    rating_step: float = 0.5
    rating_neutral: float = 3.0
    half_life_days: float | None = None

    def __post_init__(self):
        progress = [self.viewed, self.started, self.step_completed, self.completed]
        if min(progress) < 0:
            raise ValueError("progress weights must be >= 0")
        if progress != sorted(progress):
            raise ValueError("progress weights must be ordered viewed <= started <= step_completed <= completed")
        if self.half_life_days is not None and self.half_life_days <= 0:
            raise ValueError("half_life_days must be > 0 (or None for no decay)")

    def progress_weight(self, kind: str) -> float:
        return float(getattr(self, kind))


#: The documented event weights (docs/RECOMMENDER.md) training uses; trained artifacts store theirs.
DEFAULT_EVENT_WEIGHTS = EventWeights()


def _to_epoch(value) -> float:
    if isinstance(value, datetime):
        if value.tzinfo is None:  # naive datetimes are taken as UTC, as Django stores them
            value = value.replace(tzinfo=UTC)
        return value.timestamp()
    return float(value)


def events_to_array(events) -> np.ndarray:
    """Turn an iterable of ``(user_index, item_index, kind, value, occurred_at)`` into an ``EVENT_DTYPE`` array.

    ``value`` may be ``None``; ``occurred_at`` a ``datetime`` (naive = UTC) or epoch seconds. A structured
    array with the ``EVENT_DTYPE`` fields is returned as is.
    """
    if isinstance(events, np.ndarray) and events.dtype.names is not None:
        missing = set(EVENT_DTYPE.names) - set(events.dtype.names)
        if missing:
            raise ValueError(f"events array lacks fields {sorted(missing)}")
        return events
    rows = []
    for i, event in enumerate(events):
        try:
            user, item, kind, value, occurred_at = event
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"event #{i} must be (user_index, item_index, kind, value, occurred_at), got {event!r}"
            ) from exc
        rows.append(
            (int(user), int(item), str(kind), np.nan if value is None else float(value), _to_epoch(occurred_at))
        )
    return np.array(rows, dtype=EVENT_DTYPE)


def _check_events(ev: np.ndarray, n_users: int, n_items: int) -> None:
    if ev.size == 0:
        return
    if ev["user"].min() < 0 or ev["user"].max() >= n_users:
        raise ValueError(f"event user indices must be in [0, {n_users})")
    if ev["item"].min() < 0 or ev["item"].max() >= n_items:
        raise ValueError(f"event item indices must be in [0, {n_items})")
    unknown = set(np.unique(ev["kind"]).tolist()) - set(EVENT_KINDS)
    if unknown:
        raise ValueError(f"unknown event kinds {sorted(unknown)}; expected one of {EVENT_KINDS}")
    if not np.isfinite(ev["occurred_at"]).all():
        raise ValueError("occurred_at must be finite for every event")
    rated = ev["kind"] == "rated"
    if rated.any() and not np.isfinite(ev["value"][rated]).all():
        raise ValueError("every 'rated' event needs a numeric value")


def _group_max(keys: np.ndarray, values: np.ndarray, n_keys: int, fill: float) -> np.ndarray:
    out = np.full(n_keys, fill)
    np.maximum.at(out, keys, values)
    return out


def interactions_from_events(events, *, n_users: int, n_items: int, now=None, weights: EventWeights | None = None):
    """Aggregate engagement events into ``(X, dismissed)``.

    Parameters
    ----------
    events : iterable of (user_index, item_index, kind, value, occurred_at) or an ``EVENT_DTYPE`` array
    n_users, n_items : int
        Shape of the result (indices come from the caller's id maps).
    now : datetime, float or None
        Reference time for the decay; defaults to the latest event. Ignored without ``half_life_days``.
    weights : EventWeights or None
        Defaults to ``EventWeights()``.

    Returns
    -------
    X : csr_matrix of shape (n_users, n_items), float64, non-negative
        Engagement weight of each pair as defined in :class:`EventWeights`.
    dismissed : csr_matrix of shape (n_users, n_items), bool
        Pairs whose latest event is a dismissal.
    """
    weights = weights or EventWeights()
    ev = events_to_array(events)
    _check_events(ev, n_users, n_items)
    shape = (n_users, n_items)
    if ev.size == 0:
        return sp.csr_matrix(shape, dtype=np.float64), sp.csr_matrix(shape, dtype=bool)

    # Pairs are numbered densely so that per-pair reductions are plain ufunc.at calls.
    pair_keys, pair_of_event = np.unique(ev["user"] * n_items + ev["item"], return_inverse=True)
    n_pairs = pair_keys.size
    kind, t = ev["kind"], ev["occurred_at"]

    if weights.half_life_days is not None:
        ref = t.max() if now is None else _to_epoch(now)
        age_days = np.maximum(ref - t, 0.0) / _DAY
        decay = 0.5 ** (age_days / weights.half_life_days)
    else:
        decay = np.ones(t.size)

    progress = np.zeros(t.size)
    for name in PROGRESS_KINDS:
        progress[kind == name] = weights.progress_weight(name)
    is_progress = np.isin(kind, PROGRESS_KINDS)
    weight = _group_max(pair_of_event[is_progress], (progress * decay)[is_progress], n_pairs, 0.0)

    bookmarked = kind == "bookmarked"
    weight += _group_max(pair_of_event[bookmarked], weights.bookmarked * decay[bookmarked], n_pairs, 0.0)

    rated = np.flatnonzero(kind == "rated")
    if rated.size:
        # The latest rating of a pair wins: sort by time, then keep the last per pair.
        rated = rated[np.argsort(t[rated], kind="stable")]
        latest = np.full(n_pairs, -1)
        latest[pair_of_event[rated]] = rated
        has = latest >= 0
        r = latest[has]
        weight[has] += weights.rating_step * (ev["value"][r] - weights.rating_neutral) * decay[r]
    weight = np.maximum(weight, 0.0)

    is_dismissal = kind == "dismissed"
    last_dismissal = _group_max(pair_of_event[is_dismissal], t[is_dismissal], n_pairs, -np.inf)
    last_other = _group_max(pair_of_event[~is_dismissal], t[~is_dismissal], n_pairs, -np.inf)
    # Ties go to the dismissal: "viewed then dismissed" in the same second is a dismissal.
    dismissed = last_dismissal >= last_other
    dismissed &= np.isfinite(last_dismissal)
    weight[dismissed] = 0.0

    users, items = np.divmod(pair_keys, n_items)
    X = sp.csr_matrix((weight, (users, items)), shape=shape)
    X.eliminate_zeros()
    D = sp.csr_matrix((np.ones(int(dismissed.sum()), dtype=bool), (users[dismissed], items[dismissed])), shape=shape)
    return X, D


def last_event_times(events, *, n_users: int, n_items: int) -> sp.csr_matrix:
    """Epoch seconds of the latest event of each (user, item) pair, as a CSR matrix (for temporal splits)."""
    ev = events_to_array(events)
    _check_events(ev, n_users, n_items)
    if ev.size == 0:
        return sp.csr_matrix((n_users, n_items), dtype=np.float64)
    keys, inv = np.unique(ev["user"] * n_items + ev["item"], return_inverse=True)
    latest = _group_max(inv, ev["occurred_at"], keys.size, -np.inf)
    users, items = np.divmod(keys, n_items)
    return sp.csr_matrix((latest, (users, items)), shape=(n_users, n_items))
