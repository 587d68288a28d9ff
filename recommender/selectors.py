"""Reads for the recommender: the taxonomy and catalogue as feature records, merchants' profiles and
events as the engine wants them, live popularity, and the editors' report figures."""

from collections import defaultdict
from collections.abc import Iterable

from django.core.cache import cache
from django.db.models import Count, Exists, Min, OuterRef, Q

from cms import selectors as cms_selectors
from cms.models import Capability, CostBand, Goal, Level, ModulePage, Sector, Theme
from merchants.models import CapabilityOrigin, DiagnosticResult, EngagementEvent, MerchantProfile, SizeBand
from recommender.cache_keys import IMPRESSIONS_CACHE_KEY, POPULARITY_CACHE_KEY  # noqa: E402
from recommender.engine.features import Taxonomy
from recommender.engine.weights import EVENT_KINDS
from recommender.models import Impression, ModelVersion

AGGREGATE_TTL = 300  # seconds: popularity and exposure move slowly
#: Kinds that count as "a merchant took this module up" for live popularity.
ENGAGED_KINDS = ("started", "step_completed", "completed")
CLICK_KINDS = ("viewed", "started", "step_completed", "completed", "bookmarked", "rated")


def _slugs(model) -> list[tuple[str, str]]:
    return list(model.objects.order_by("sort_order", "name", "slug").values_list("slug", "name"))


def current_taxonomy() -> Taxonomy:
    """The taxonomy as it stands now: editors' additions become new feature columns at the next training."""
    themes, sectors, goals, capabilities = (_slugs(m) for m in (Theme, Sector, Goal, Capability))
    levels = list(Level.objects.order_by("rank", "slug").values_list("slug", "name"))
    return Taxonomy(
        themes=tuple(s for s, _ in themes),
        sectors=tuple(s for s, _ in sectors),
        goals=tuple(s for s, _ in goals),
        capabilities=tuple(s for s, _ in capabilities),
        levels=tuple(s for s, _ in levels),
        size_bands=tuple(SizeBand.values),
        cost_bands=tuple(CostBand.values),
        names={
            "themes": dict(themes),
            "sectors": dict(sectors),
            "goals": dict(goals),
            "capabilities": dict(capabilities),
            "levels": dict(levels),
            "size_bands": dict(SizeBand.choices),
            "cost_bands": dict(CostBand.choices),
        },
    )


def capability_theme_slugs() -> dict[str, str | None]:
    return dict(Capability.objects.values_list("slug", "theme__slug"))


def catalogue() -> list[ModulePage]:
    """Published modules with their taxonomy prefetched, in catalogue order."""
    return list(cms_selectors.published_modules())


def module_record(module: ModulePage) -> dict:
    """A module as `ModuleFeaturizer` reads it (prefetched relations, no extra query)."""
    return {
        "slug": module.slug,
        "title": module.title,
        "theme": module.theme.slug,
        "sectors": [sector.slug for sector in module.target_sectors.all()],
        "goals": [goal.slug for goal in module.goals.all()],
        "capabilities_required": [c.slug for c in module.capabilities_required.all()],
        "capabilities_built": [c.slug for c in module.capabilities_built.all()],
        "level": module.level.slug,
        "cost_band": module.cost_band,
        "estimated_minutes": module.estimated_minutes,
        "boost": {"weight": module.boost_weight},
    }


def latest_maturity(merchant_ids: Iterable[int]) -> dict[int, dict[str, float]]:
    """Each merchant's theme scores from their latest diagnostic, on [0, 1]."""
    latest: dict[int, dict[str, float]] = {}
    rows = (
        DiagnosticResult.objects.filter(merchant_id__in=list(merchant_ids))
        .order_by("merchant_id", "-created_at", "-id")
        .values_list("merchant_id", "theme_scores")
    )
    for merchant_id, scores in rows:
        if merchant_id not in latest:
            latest[merchant_id] = {theme: float(score) / 100 for theme, score in (scores or {}).items()}
    return latest


def merchant_record(merchant: MerchantProfile, maturity: dict[str, float] | None = None) -> dict:
    """What the merchant told us (profile and diagnostic), as `MerchantFeaturizer` reads it.

    These are declared data, used with or without consent to personalisation; events are not (see
    `history_for_recommendation`)."""
    return {
        "sector": merchant.sector.slug if merchant.sector_id else None,
        "size_band": merchant.size_band or None,
        "capabilities": [c.slug for c in merchant.capabilities.all()],
        "goals": [g.slug for g in merchant.goals.all()],
        "maturity": maturity or {},
    }


def merchant_records(merchant_ids: list[int]) -> dict[int, dict]:
    profiles = MerchantProfile.objects.filter(pk__in=merchant_ids).select_related("sector")
    profiles = profiles.prefetch_related("capabilities", "goals")
    maturity = latest_maturity(merchant_ids)
    return {p.pk: merchant_record(p, maturity.get(p.pk)) for p in profiles}


def capability_origins(merchant_ids: list[int]) -> list[tuple]:
    """`(merchant_id, capability slug, source, since, module_id)` of the merchants' capabilities, one query."""
    return list(
        CapabilityOrigin.objects.filter(merchant_id__in=merchant_ids).values_list(
            "merchant_id", "capability__slug", "source", "since", "module_id"
        )
    )


def first_diagnostic_times(merchant_ids: list[int]) -> dict[int, object]:
    """When each merchant first took the diagnostic (their maturity is unknown before it)."""
    rows = (
        DiagnosticResult.objects.filter(merchant_id__in=merchant_ids)
        .values("merchant_id")
        .annotate(first=Min("created_at"))
        .values_list("merchant_id", "first")
    )
    return dict(rows)


def training_events():
    """Events the recommender may learn from: consenting merchants only, kinds the engine knows.

    Rows are `(merchant_id, module_id, kind, value, occurred_at)`.
    """
    return EngagementEvent.objects.filter(
        merchant__personalisation_consent=True, module__isnull=False, kind__in=EVENT_KINDS
    ).values_list("merchant_id", "module_id", "kind", "value", "occurred_at")


def merchant_events(merchant: MerchantProfile):
    """All of one merchant's events `(module_id, kind, value, occurred_at)`, oldest first.

    Used for what must never be shown again (completed, dismissed) whatever the consent; the history that
    personalises comes from `merchants.selectors.history_for_recommendation` only.
    """
    return list(
        EngagementEvent.objects.filter(merchant=merchant, module__isnull=False)
        .order_by("occurred_at", "id")
        .values_list("module_id", "kind", "value", "occurred_at")
    )


def live_popularity() -> dict[int, int]:
    """Per module id, how many times merchants took it up (all events, anonymised ones included); cached."""
    counts = cache.get(POPULARITY_CACHE_KEY)
    if counts is None:
        rows = (
            EngagementEvent.objects.filter(kind__in=ENGAGED_KINDS, module__isnull=False)
            .values("module_id")
            .annotate(n=Count("id"))
            .values_list("module_id", "n")
        )
        counts = dict(rows)
        cache.set(POPULARITY_CACHE_KEY, counts, AGGREGATE_TTL)
    return counts


def impression_counts() -> dict[int, int]:
    """Per module id, how many times it was shown; cached (exploration favours the least shown)."""
    counts = cache.get(IMPRESSIONS_CACHE_KEY)
    if counts is None:
        rows = Impression.objects.filter(module__isnull=False).values("module_id").annotate(n=Count("id"))
        counts = dict(rows.values_list("module_id", "n"))
        cache.set(IMPRESSIONS_CACHE_KEY, counts, AGGREGATE_TTL)
    return counts


def active_version_ref() -> tuple[int, str] | None:
    """`(id, sha256)` of the active version: one indexed query per request, so every worker switches at once."""
    return ModelVersion.objects.filter(status=ModelVersion.Status.ACTIVE).values_list("id", "artifact_sha256").first()


# --- Editors' report ---------------------------------------------------------------------------


def _followed_by(kinds) -> Exists:
    return Exists(
        EngagementEvent.objects.filter(
            recommendation_id=OuterRef("recommendation_id"), module_id=OuterRef("module_id"), kind__in=kinds
        )
    )


def impression_outcomes(group_by: str, *, since=None, until=None) -> dict:
    """Per `module_id` or `model_version_id`: impressions (shown between `since` and `until`, dates included,
    when given) and how many were followed, with the same `recommendation_id` and module, by a click (any
    engagement), a start, a completion, a dismissal. One query."""
    shown = Impression.objects.all()
    if since:
        shown = shown.filter(created_at__date__gte=since)
    if until:
        shown = shown.filter(created_at__date__lte=until)
    rows = (
        shown.values(group_by)
        .annotate(
            impressions=Count("id"),
            clicks=Count("id", filter=Q(_followed_by(CLICK_KINDS))),
            rec_starts=Count("id", filter=Q(_followed_by(("started", "step_completed", "completed")))),
            rec_completions=Count("id", filter=Q(_followed_by(("completed",)))),
            rec_dismissals=Count("id", filter=Q(_followed_by(("dismissed",)))),
        )
        .order_by()
    )
    return {row.pop(group_by): row for row in rows}


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def module_report(*, since=None, until=None) -> list[dict]:
    """Per published module: impressions, click-through and completion rates of recommendations, and all
    starts, completions and dismissals (whatever led to them), between `since` and `until` (dates, included)
    when given. Three queries."""
    outcomes = impression_outcomes("module_id", since=since, until=until)
    totals = defaultdict(dict)
    events = EngagementEvent.objects.all()
    if since:
        events = events.filter(occurred_at__date__gte=since)
    if until:
        events = events.filter(occurred_at__date__lte=until)
    rows = (
        events.filter(module__isnull=False, kind__in=("started", "completed", "dismissed"))
        .values("module_id", "kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        totals[row["module_id"]][row["kind"]] = row["n"]
    report = []
    for module in ModulePage.objects.live().select_related("theme").order_by("theme__sort_order", "path"):
        seen = outcomes.get(module.pk, {})
        impressions = seen.get("impressions", 0)
        report.append(
            {
                "module": module,
                "impressions": impressions,
                "clicks": seen.get("clicks", 0),
                "ctr": _rate(seen.get("clicks", 0), impressions),
                "rec_completions": seen.get("rec_completions", 0),
                "completion_rate": _rate(seen.get("rec_completions", 0), impressions),
                "starts": totals[module.pk].get("started", 0),
                "completions": totals[module.pk].get("completed", 0),
                "dismissals": totals[module.pk].get("dismissed", 0),
            }
        )
    return report


def model_version_report(limit: int = 20) -> list[dict]:
    """The latest versions with their offline metrics and their online click-through and completion rates."""
    outcomes = impression_outcomes("model_version_id")
    report = []
    for version in ModelVersion.objects.order_by("-created_at", "-id")[:limit]:
        seen = outcomes.get(version.pk, {})
        impressions = seen.get("impressions", 0)
        report.append(
            {
                "version": version,
                "impressions": impressions,
                "ctr": _rate(seen.get("clicks", 0), impressions),
                "completion_rate": _rate(seen.get("rec_completions", 0), impressions),
                "offline": version.metrics.get("summary", {}),
            }
        )
    return report


def impressions_for_export(*, merchant: MerchantProfile) -> list[dict]:
    """What the recommender showed the merchant, for their RGPD export: one entry per module shown."""
    return [
        {
            "recommendation_id": impression.recommendation_id,
            "module": impression.module_slug,
            "rank": impression.rank,
            "strategy": impression.strategy,
            "shown_at": impression.created_at,
        }
        for impression in Impression.objects.filter(merchant=merchant).order_by("created_at", "rank")
    ]
