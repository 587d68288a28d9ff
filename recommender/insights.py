"""Why modules are (not) recommended, for editors: each module's reach in the top 5 and what holds it back,
computed by replaying the live ranking for a sample of merchants (no impression is written), and a
merchant's ranking as they would see it. Reads only; the views in `wagtail_hooks` are staff-only."""

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.core.cache import cache

from merchants.models import MerchantProfile
from recommender import selectors, serving

logger = logging.getLogger(__name__)

REACH_CACHE_KEY = "recommender:module-reach"
REACH_TTL = 300
REACH_SAMPLE = 300
TOP = 5
#: Below this many merchants, a sector's figure is not shown (it could single a shop out).
MIN_CELL = 5

#: What keeps a module out of a merchant's top 5, in the order it is checked, with the editors' words.
HOLDBACKS = {
    "dismissed": "écarté par le commerçant (« pas pour moi »)",
    "completed": "déjà terminé",
    "known": "enseigne ce que le commerçant sait déjà",
    "theme_cap": "limite de deux modules par thème",
    "prerequisites": "prérequis que le commerçant n'a pas",
    "low_score": "score trop bas pour ce profil",
}


@dataclass
class ModuleReach:
    module: object
    shown: int = 0
    merchants: int = 0
    sectors: list = field(default_factory=list)  # [(sector name, merchants)] with at least MIN_CELL
    held: dict = field(default_factory=dict)  # holdback code → merchants

    @property
    def share(self) -> float | None:
        return self.shown / self.merchants if self.merchants else None

    @property
    def main_holdback(self) -> str | None:
        if not self.held:
            return None
        code = max(self.held, key=lambda c: (self.held[c], -list(HOLDBACKS).index(c)))
        return HOLDBACKS[code]


def classify(detail: serving.RankingDetail, top: int = TOP) -> list[str]:
    """Per module (catalogue order): "shown" or what held it back for this merchant."""
    fresh = ~detail.excluded & ~detail.known
    order = np.flatnonzero(fresh)
    order = order[np.argsort(-detail.scores[order], kind="stable")]
    best = set(order[:top].tolist())
    listed = set(detail.listed)
    out = []
    for i in range(len(detail.modules)):
        if i in listed:
            out.append("shown")
        elif detail.dismissed[i]:
            out.append("dismissed")
        elif detail.excluded[i]:
            out.append("completed")
        elif detail.known[i]:
            out.append("known")
        elif i in best:
            out.append("theme_cap")
        elif detail.missing_prerequisites[i]:
            out.append("prerequisites")
        else:
            out.append("low_score")
    return out


def module_reach(*, sample: int = REACH_SAMPLE, use_cache: bool = True) -> list[ModuleReach]:
    """Each published module's reach in the top 5 of the `sample` most recent merchants, by sector, and what
    holds it back; cached 5 minutes (keyed by the active version)."""
    ref = selectors.active_version_ref()
    key = f"{REACH_CACHE_KEY}:{ref[0] if ref else 'none'}-{ref[1][:16] if ref else ''}:{sample}"
    if use_cache:
        try:
            cached = cache.get(key)
        except Exception:  # noqa: BLE001 - the cache is an optimisation
            cached = None
        if cached is not None:
            return cached
    per_module: dict[int, ModuleReach] = {}
    by_sector: dict[int, Counter] = defaultdict(Counter)
    merchants = MerchantProfile.objects.select_related("sector").order_by("-created_at", "-pk")[:sample]
    for merchant in merchants:
        detail: list = []
        serving.recommend_for(merchant, limit=TOP, log_impressions=False, detail=detail)
        for module, outcome in zip(detail[0].modules, classify(detail[0]), strict=True):
            reach = per_module.setdefault(module.pk, ModuleReach(module=module))
            reach.merchants += 1
            if outcome == "shown":
                reach.shown += 1
                by_sector[module.pk][merchant.sector.name if merchant.sector_id else "Secteur non renseigné"] += 1
            else:
                reach.held[outcome] = reach.held.get(outcome, 0) + 1
    for pk, reach in per_module.items():
        reach.sectors = [(name, n) for name, n in by_sector[pk].most_common() if n >= MIN_CELL]
    result = sorted(per_module.values(), key=lambda r: (-r.shown, r.module.title))
    try:
        cache.set(key, result, REACH_TTL)
    except Exception:  # noqa: BLE001
        logger.warning("module reach not cached: the cache is unavailable")
    return result


def preview(merchant: MerchantProfile, *, limit: int = 10):
    """The merchant's ranking with its reasons, exactly as served, without writing impressions."""
    return serving.recommend_for(merchant, limit=limit, log_impressions=False)
