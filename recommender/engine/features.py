"""Feature matrices for merchants and modules, built from plain records and a taxonomy of slugs.

The vocabulary (one column per taxonomy slug) is fixed at ``fit`` from the taxonomy lists, so a
model's columns never move; a slug unknown to the vocabulary (an editor added a sector after the
model was trained) is ignored at ``transform`` time instead of failing. Feature names have the form
``"group=slug"`` (e.g. ``"goal=etre-trouve"``) so that explanations can map a column back to a
French label.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError

__all__ = [
    "Taxonomy",
    "MerchantFeaturizer",
    "ModuleFeaturizer",
    "domain_interactions",
    "feature_labels",
    "split_feature_name",
]


@dataclass(frozen=True)
class Taxonomy:
    """The slugs features are built over, in a stable order, with optional French names.

    ``levels`` is ordered from easiest to hardest. ``names`` maps a list name (``"sectors"``,
    ``"goals"``, …) to ``{slug: French name}`` and is only used for labels.
    """

    themes: tuple[str, ...]
    sectors: tuple[str, ...]
    goals: tuple[str, ...]
    capabilities: tuple[str, ...]
    levels: tuple[str, ...] = ("debutant", "intermediaire", "avance")
    size_bands: tuple[str, ...] = ("1", "2-5", "6-10", "11-49")
    cost_bands: tuple[str, ...] = ("gratuit", "moins-20", "20-100", "plus-100")
    names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def name(self, kind: str, slug: str) -> str:
        return self.names.get(kind, {}).get(slug, slug)


def split_feature_name(name: str) -> tuple[str, str]:
    """``"goal=etre-trouve"`` → ``("goal", "etre-trouve")``; a name without ``=`` is its own group."""
    group, _, slug = name.partition("=")
    return group, slug


class _Featurizer(BaseEstimator):
    """Shared vocabulary handling: ``fit(taxonomy)`` fixes the columns, ``transform(records)`` fills them."""

    def _set_vocabulary(self, names: list[str]) -> None:
        self.feature_names_ = np.array(names, dtype=object)
        self.vocabulary_ = {n: i for i, n in enumerate(names)}

    def _check_fitted(self):
        if not hasattr(self, "vocabulary_"):
            raise NotFittedError(f"{type(self).__name__} is not fitted: call fit(taxonomy) first")

    def columns(self, group: str) -> np.ndarray:
        """Column indices of a feature group (e.g. ``"sector"``), in vocabulary order."""
        self._check_fitted()
        return np.array(
            [i for i, n in enumerate(self.feature_names_) if split_feature_name(n)[0] == group], dtype=np.intp
        )

    def get_feature_names_out(self) -> np.ndarray:
        self._check_fitted()
        return self.feature_names_.copy()

    def fit_transform(self, taxonomy: Taxonomy, records):
        return self.fit(taxonomy).transform(records)

    def _hot(self, row: np.ndarray, group: str, slugs) -> None:
        if slugs is None:
            return
        if isinstance(slugs, str):
            slugs = [slugs]
        for slug in slugs:
            col = self.vocabulary_.get(f"{group}={slug}")
            if col is not None:  # unknown slug: ignored on purpose (see module docstring)
                row[col] = 1.0


class MerchantFeaturizer(_Featurizer):
    """Merchant profile → feature row.

    Records are mappings with keys (all optional): ``sector`` (slug), ``size_band`` (slug),
    ``capabilities`` (slugs the merchant has), ``goals`` (slugs), ``maturity`` (``{theme slug: score in
    [0, 1]}`` from the diagnostic).

    Columns: ``sector=*`` and ``size=*`` one-hot; ``has=*`` and ``lacks=*`` for every capability (both
    states are encoded so that "the module builds something you lack" is a positive, explainable weight
    rather than the absence of a negative one); ``goal=*`` multi-hot; ``maturity=<theme>`` numeric.

    Parameters
    ----------
    unknown_maturity : float, default=0.5
        Score used for a theme the merchant has not answered: the middle of the scale, so that a skipped
        diagnostic reads as "unknown", not as "beginner".
    """

    def __init__(self, unknown_maturity=0.5):
        self.unknown_maturity = unknown_maturity

    def fit(self, taxonomy: Taxonomy, records=None):
        names = (
            [f"sector={s}" for s in taxonomy.sectors]
            + [f"size={s}" for s in taxonomy.size_bands]
            + [f"has={c}" for c in taxonomy.capabilities]
            + [f"lacks={c}" for c in taxonomy.capabilities]
            + [f"goal={g}" for g in taxonomy.goals]
            + [f"maturity={t}" for t in taxonomy.themes]
        )
        self._set_vocabulary(names)
        self.capabilities_ = tuple(taxonomy.capabilities)
        self.themes_ = tuple(taxonomy.themes)
        return self

    def transform(self, records: Sequence[Mapping]) -> np.ndarray:
        self._check_fitted()
        out = np.zeros((len(records), len(self.feature_names_)))
        lacks_cols = np.array([self.vocabulary_[f"lacks={c}"] for c in self.capabilities_], dtype=np.intp)
        for i, rec in enumerate(records):
            row = out[i]
            self._hot(row, "sector", rec.get("sector"))
            self._hot(row, "size", rec.get("size_band"))
            self._hot(row, "goal", rec.get("goals"))
            has = set(rec.get("capabilities") or ())
            row[lacks_cols] = 1.0
            for cap in has:
                col = self.vocabulary_.get(f"has={cap}")
                if col is not None:
                    row[col] = 1.0
                    row[self.vocabulary_[f"lacks={cap}"]] = 0.0
            maturity = rec.get("maturity") or {}
            for theme in self.themes_:
                score = maturity.get(theme)
                row[self.vocabulary_[f"maturity={theme}"]] = (
                    self.unknown_maturity if score is None else min(max(float(score), 0.0), 1.0)
                )
        return out


class ModuleFeaturizer(_Featurizer):
    """Module metadata → feature row.

    Records are mappings with the keys of a content fixture / ``ModulePage``: ``theme``, ``sectors``,
    ``goals``, ``capabilities_required``, ``capabilities_built``, ``level``, ``cost_band``,
    ``estimated_minutes``.

    Columns: ``theme=*``, ``level=*``, ``cost=*`` one-hot; ``sector=*``, ``goal=*``, ``requires=*``,
    ``builds=*`` multi-hot; ``all_sectors`` (1 when ``sectors`` is empty, which means "every sector": it
    gets its own column rather than switching every sector on, so that a generic module is never
    explained as "made for your sector"); ``duration`` = ``log1p(minutes) / log1p(max_minutes)`` in [0, 1].
    """

    def __init__(self, max_minutes=600):
        self.max_minutes = max_minutes

    def fit(self, taxonomy: Taxonomy, records=None):
        names = (
            [f"theme={t}" for t in taxonomy.themes]
            + [f"sector={s}" for s in taxonomy.sectors]
            + ["all_sectors"]
            + [f"goal={g}" for g in taxonomy.goals]
            + [f"requires={c}" for c in taxonomy.capabilities]
            + [f"builds={c}" for c in taxonomy.capabilities]
            + [f"level={lv}" for lv in taxonomy.levels]
            + [f"cost={c}" for c in taxonomy.cost_bands]
            + ["duration"]
        )
        self._set_vocabulary(names)
        return self

    def transform(self, records: Sequence[Mapping]) -> np.ndarray:
        self._check_fitted()
        out = np.zeros((len(records), len(self.feature_names_)))
        all_col, dur_col = self.vocabulary_["all_sectors"], self.vocabulary_["duration"]
        scale = math.log1p(self.max_minutes)
        for i, rec in enumerate(records):
            row = out[i]
            self._hot(row, "theme", rec.get("theme"))
            sectors = rec.get("sectors") or ()
            if len(sectors) == 0:
                row[all_col] = 1.0
            self._hot(row, "sector", sectors)
            self._hot(row, "goal", rec.get("goals"))
            self._hot(row, "requires", rec.get("capabilities_required"))
            self._hot(row, "builds", rec.get("capabilities_built"))
            self._hot(row, "level", rec.get("level"))
            self._hot(row, "cost", rec.get("cost_band"))
            minutes = rec.get("estimated_minutes")
            if minutes is not None:
                row[dur_col] = min(math.log1p(max(float(minutes), 0.0)) / scale, 1.0)
        return out


#: (merchant group, module group, same slug only?) — the interactions that mean something for EleaSud.
DOMAIN_INTERACTION_GROUPS = (
    ("sector", "sector", True),  # the module targets your sector
    ("goal", "goal", True),  # the module serves one of your goals
    ("lacks", "builds", True),  # it gives you a capability you lack
    ("has", "builds", True),  # ... or one you already have
    ("has", "requires", True),  # you have its prerequisite
    ("lacks", "requires", True),  # you miss its prerequisite
    ("sector", "all_sectors", False),  # how much your sector likes generic modules
    ("sector", "theme", False),
    ("sector", "builds", False),
    ("goal", "theme", False),
    ("goal", "builds", False),
    ("maturity", "level", False),
    ("maturity", "theme", False),
    ("size", "cost", False),
    ("size", "duration", False),
    ("size", "level", False),
)


def domain_interactions(merchants: MerchantFeaturizer, modules: ModuleFeaturizer, groups=DOMAIN_INTERACTION_GROUPS):
    """(merchant column, module column) pairs for :class:`~recommender.engine.content.ContentRecommender`.

    ``groups`` lists ``(merchant group, module group, same_slug)``; with ``same_slug`` only columns about
    the same slug are paired (``goal=x`` with ``goal=x``), otherwise every column of one group meets
    every column of the other.
    """
    merchants._check_fitted()
    modules._check_fitted()
    m_names = [split_feature_name(n) for n in merchants.feature_names_]
    i_names = [split_feature_name(n) for n in modules.feature_names_]
    pairs = []
    for ug, ig, same in groups:
        for a, (g1, s1) in enumerate(m_names):
            if g1 != ug:
                continue
            for b, (g2, s2) in enumerate(i_names):
                if g2 == ig and (not same or s1 == s2):
                    pairs.append((a, b))
    return np.array(sorted(set(pairs)), dtype=np.intp).reshape(-1, 2)


_GROUP_KIND = {
    "sector": "sectors",
    "size": "size_bands",
    "has": "capabilities",
    "lacks": "capabilities",
    "goal": "goals",
    "maturity": "themes",
    "theme": "themes",
    "requires": "capabilities",
    "builds": "capabilities",
    "level": "levels",
    "cost": "cost_bands",
}


def feature_labels(taxonomy: Taxonomy, *featurizers) -> dict[str, str]:
    """French label of every feature name of the given featurizers, from the taxonomy's names."""
    labels = {"all_sectors": "tous les secteurs", "duration": "durée"}
    for fz in featurizers:
        for name in fz.feature_names_:
            group, slug = split_feature_name(name)
            kind = _GROUP_KIND.get(group)
            if kind is not None:
                labels[name] = taxonomy.name(kind, slug)
    return labels
