"""Reads about merchants: who a token belongs to, their diagnostics, progress, bookmarks, the history the
recommender may use (none without consent) and their part of the RGPD export (missions add theirs)."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone

from cms.models import Capability, ModulePage, Sector, Theme
from merchants.models import (
    DiagnosticResult,
    EngagementEvent,
    MerchantProfile,
    MerchantSession,
)
from merchants.services import ADMIN_ACCESS_PERMISSION, session_is_current, token_digest

Kind = EngagementEvent.Kind


def session_for_access_token(token: str) -> MerchantSession | None:
    """The live session an access token belongs to, with its user, merchant profile and the two facts
    `is_merchant_user` needs (any group? `wagtailadmin.access_admin` held directly?): one query per request."""
    user_model = get_user_model()
    app_label, codename = ADMIN_ACCESS_PERMISSION.split(".")
    session = (
        MerchantSession.objects.select_related("user__merchant_profile")
        .annotate(
            user_in_a_group=Exists(user_model.groups.through.objects.filter(user_id=OuterRef("user_id"))),
            user_holds_admin_access=Exists(
                user_model.user_permissions.through.objects.filter(
                    user_id=OuterRef("user_id"),
                    permission__codename=codename,
                    permission__content_type__app_label=app_label,
                )
            ),
        )
        .filter(access_digest=token_digest(token), access_expires_at__gt=timezone.now())
        .first()
    )
    if session is None or not session_is_current(session):
        return None
    # A member of any group is refused whatever the group's permissions, so the direct permission is the
    # only other way to `access_admin` (ModelBackend; superusers are refused on their flag).
    session.user._in_a_group_or_admin = session.user_in_a_group or session.user_holds_admin_access
    return session


def session_id_for_refresh_token(token: str) -> int | None:
    """Id of the session whose current refresh token this is (expired or not), else None."""
    return MerchantSession.objects.filter(refresh_digest=token_digest(token)).values_list("pk", flat=True).first()


def profile_with_taxonomy(*, merchant: MerchantProfile) -> MerchantProfile:
    return (
        MerchantProfile.objects.select_related("user", "sector")
        .prefetch_related("capabilities", "goals")
        .get(pk=merchant.pk)
    )


def diagnostics_for(*, merchant: MerchantProfile) -> QuerySet[DiagnosticResult]:
    """Newest first."""
    return DiagnosticResult.objects.filter(merchant=merchant).order_by("-created_at", "-id")


def history_for_recommendation(*, merchant: MerchantProfile) -> QuerySet[EngagementEvent]:
    """The events the recommender may learn from and rank with: none once consent is withdrawn.

    Consent is read from the database on every call, so a withdrawal takes effect at the next request.
    """
    consenting = MerchantProfile.objects.filter(pk=merchant.pk, personalisation_consent=True).exists()
    if not consenting:
        return EngagementEvent.objects.none()
    return EngagementEvent.objects.filter(merchant=merchant).order_by("occurred_at", "id")


# --- Progress ----------------------------------------------------------------------------------


@dataclass
class ModuleProgress:
    module: ModulePage
    completed: bool = False
    started: bool = False
    dismissed: bool = False
    bookmarked: bool = False
    steps_completed: set[int] = field(default_factory=set)
    last_activity_at: datetime | None = None
    rating: int | None = None  # the merchant's latest rating of the module, 1 to 5

    @property
    def steps(self) -> list[str]:
        return [block.value.get("title", "") for block in self.module.body if block.block_type == "step"]

    @property
    def next_step(self) -> dict | None:
        if self.completed:
            return None
        for index, title in enumerate(self.steps):
            if index not in self.steps_completed:
                return {"index": index, "title": title}
        return None


@dataclass
class ThemeProgress:
    theme: Theme
    modules_total: int
    modules_completed: list[ModulePage]
    modules_in_progress: list[ModulePage]
    capabilities_covered: list[Capability]
    capabilities_total: int
    diagnostic_score: int | None


@dataclass
class Progress:
    themes: list[ThemeProgress]
    last_diagnostic: DiagnosticResult | None
    bookmarks: list[ModulePage]
    started_modules: list[ModuleProgress]
    ratings: dict[str, int] = field(default_factory=dict)


def module_progress(*, merchant: MerchantProfile) -> dict[int, ModuleProgress]:
    """Each published module the merchant touched, replayed from their events in the order they happened."""
    events = (
        EngagementEvent.objects.filter(merchant=merchant, module__live=True)
        .order_by("occurred_at", "id")
        .values_list("module_id", "kind", "value", "occurred_at")
    )
    events = list(events)
    modules = ModulePage.objects.live().public().select_related("theme").in_bulk({row[0] for row in events})
    progress: dict[int, ModuleProgress] = {}
    for module_id, kind, value, occurred_at in events:
        if module_id not in modules:
            continue
        state = progress.setdefault(module_id, ModuleProgress(module=modules[module_id]))
        state.last_activity_at = occurred_at
        if kind == Kind.COMPLETED:
            state.completed = True
        elif kind in (Kind.STARTED, Kind.STEP_COMPLETED):
            state.started = True
            if kind == Kind.STEP_COMPLETED:
                state.steps_completed.add(value)
        elif kind == Kind.STEP_UNCOMPLETED:
            state.steps_completed.discard(value)
        elif kind in (Kind.DISMISSED, Kind.UNDISMISSED):
            state.dismissed = kind == Kind.DISMISSED
        elif kind in (Kind.BOOKMARKED, Kind.UNBOOKMARKED):
            state.bookmarked = kind == Kind.BOOKMARKED
        elif kind == Kind.RATED:
            state.rating = value
    return progress


def merchant_progress(*, merchant: MerchantProfile) -> Progress:
    states = module_progress(merchant=merchant)
    last_diagnostic = diagnostics_for(merchant=merchant).first()
    owned = set(merchant.capabilities.values_list("pk", flat=True))
    capabilities_by_theme: dict[int | None, list[Capability]] = {}
    for capability in Capability.objects.order_by("sort_order", "name"):
        capabilities_by_theme.setdefault(capability.theme_id, []).append(capability)
    live_counts: dict[int, int] = {}
    for theme_id in ModulePage.objects.live().public().values_list("theme_id", flat=True):
        live_counts[theme_id] = live_counts.get(theme_id, 0) + 1

    themes = []
    for theme in Theme.objects.order_by("sort_order", "name"):
        in_theme = [state for state in states.values() if state.module.theme_id == theme.pk]
        theme_capabilities = capabilities_by_theme.get(theme.pk, [])
        themes.append(
            ThemeProgress(
                theme=theme,
                modules_total=live_counts.get(theme.pk, 0),
                modules_completed=[state.module for state in in_theme if state.completed],
                modules_in_progress=[state.module for state in in_theme if state.started and not state.completed],
                capabilities_covered=[capability for capability in theme_capabilities if capability.pk in owned],
                capabilities_total=len(theme_capabilities),
                diagnostic_score=(last_diagnostic.theme_scores.get(theme.slug) if last_diagnostic else None),
            )
        )
    started = sorted(
        (state for state in states.values() if state.started and not state.completed),
        key=lambda state: state.last_activity_at,
        reverse=True,
    )
    # a completed module is done, not "kept for later"
    bookmarks = [state.module for state in states.values() if state.bookmarked and not state.completed]
    ratings = {state.module.slug: state.rating for state in states.values() if state.rating is not None}
    return Progress(
        themes=themes, last_diagnostic=last_diagnostic, bookmarks=bookmarks, started_modules=started, ratings=ratings
    )


# --- RGPD export -------------------------------------------------------------------------------


def _slugs(items: Iterable) -> list[str]:
    return [item.slug for item in items]


def personal_data_export(*, merchant: MerchantProfile) -> dict:
    """Every personal datum held about the merchant, as plain JSON-ready data (RGPD articles 15 and 20)."""
    merchant = profile_with_taxonomy(merchant=merchant)
    user = merchant.user
    states = module_progress(merchant=merchant)
    return {
        "exported_at": timezone.now(),
        "account": {
            "email": user.email,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "sessions": [
                {"created_at": s.created_at, "refreshed_at": s.refreshed_at, "expires_at": s.refresh_expires_at}
                for s in user.merchant_sessions.order_by("created_at")
            ],
        },
        "profile": {
            "business_name": merchant.business_name,
            "sector": merchant.sector.slug if merchant.sector else None,
            "size_band": merchant.size_band,
            "postcode": merchant.postcode,
            "capabilities": _slugs(merchant.capabilities.all()),
            "capability_origins": [
                {
                    "capability": origin.capability.slug,
                    "source": origin.source,
                    "since": origin.since,
                    "diagnostic_taken_at": origin.diagnostic.created_at if origin.diagnostic else None,
                    "module": origin.module_slug or None,
                }
                for origin in merchant.capability_origins.select_related("capability", "diagnostic").order_by(
                    "since", "id"
                )
            ],
            "goals": _slugs(merchant.goals.all()),
            "personalisation_consent": merchant.personalisation_consent,
            "consent_updated_at": merchant.consent_updated_at,
            "created_at": merchant.created_at,
            "updated_at": merchant.updated_at,
        },
        "diagnostics": [
            {
                "questionnaire": result.questionnaire_slug,
                "taken_at": result.created_at,
                "answers": result.answers,
                "theme_scores": result.theme_scores,
                "overall_score": result.overall_score,
                "band": result.band_slug,
                "capabilities_detected": result.capabilities_detected,
                "warnings": result.warnings,
                "sector": result.sector_slug,
            }
            for result in diagnostics_for(merchant=merchant).order_by("created_at", "id")
        ],
        "events": [
            {
                "event_id": event.event_id,
                "module": event.module_slug,
                "kind": event.kind,
                "value": event.value,
                "occurred_at": event.occurred_at,
                "received_at": event.received_at,
                "recommendation_id": event.recommendation_id,
            }
            for event in EngagementEvent.objects.filter(merchant=merchant).order_by("occurred_at", "id")
        ],
        "bookmarks": [state.module.slug for state in states.values() if state.bookmarked],
    }


# --- "Par où commencer": public, non-personal starting points for a sector ------------------------

# A module counts as popular in a sector only when at least this many merchants of the sector took it up:
# smaller counts are suppressed, so the public answer never reflects a handful of identifiable shops.
MIN_MERCHANTS_PER_CELL = 5
STARTING_POINTS_CACHE_TTL = 600
ENGAGED_KINDS = (Kind.STARTED, Kind.STEP_COMPLETED, Kind.COMPLETED)


@dataclass(frozen=True)
class StartingPoint:
    module: ModulePage
    reason: str  # "editorial" | "popular_in_sector" | "popular" | "first_steps"


def sector_popularity(*, sector_id: int) -> dict[int, int]:
    """Per module id, how many distinct merchants of the sector took it up; cells under the threshold dropped."""
    key = f"merchants:sector-popularity:{sector_id}"
    counts = cache.get(key)
    if counts is None:
        rows = (
            EngagementEvent.objects.filter(merchant__sector_id=sector_id, kind__in=ENGAGED_KINDS, module__isnull=False)
            .values("module_id")
            .annotate(merchants=Count("merchant_id", distinct=True))
            .filter(merchants__gte=MIN_MERCHANTS_PER_CELL)
            .values_list("module_id", "merchants")
        )
        counts = dict(rows)
        cache.set(key, counts, STARTING_POINTS_CACHE_TTL)
    return counts


def global_popularity() -> dict[int, int]:
    """Per module id, how many distinct merchants took it up (all sectors); same suppression."""
    key = "merchants:global-popularity"
    counts = cache.get(key)
    if counts is None:
        rows = (
            EngagementEvent.objects.filter(kind__in=ENGAGED_KINDS, module__isnull=False, merchant__isnull=False)
            .values("module_id")
            .annotate(merchants=Count("merchant_id", distinct=True))
            .filter(merchants__gte=MIN_MERCHANTS_PER_CELL)
            .values_list("module_id", "merchants")
        )
        counts = dict(rows)
        cache.set(key, counts, STARTING_POINTS_CACHE_TTL)
    return counts


def starting_points(*, sector: Sector | None, limit: int = 6) -> list[StartingPoint]:
    """Where a visitor of `sector` could start: the editors' picks in force, then what the sector's merchants
    take up most, then what everyone takes up, then the easiest modules. Only modules that suit the sector
    (targeted at it, or at every sector); at most two per theme, so the list spans the themes."""
    from cms import selectors as cms_selectors

    filters = cms_selectors.ModuleFilters(sectors=(sector.slug,) if sector else ())
    modules = cms_selectors.filter_modules(filters=filters)
    now = timezone.now()

    def targeted(module):
        return sector is not None and any(s.pk == sector.pk for s in module.target_sectors.all())

    editorial = sorted(
        (m for m in modules if m.boost_at(now) > 0),
        key=lambda m: (not targeted(m), -m.boost_at(now)),
    )
    in_sector = sector_popularity(sector_id=sector.pk) if sector else {}
    everyone = global_popularity()
    by_sector = sorted((m for m in modules if m.pk in in_sector), key=lambda m: -in_sector[m.pk])
    by_everyone = sorted((m for m in modules if m.pk in everyone), key=lambda m: -everyone[m.pk])
    easiest = sorted(modules, key=lambda m: (getattr(m.level, "sort_order", 0), m.estimated_minutes or 0))

    chosen: list[StartingPoint] = []
    seen: set[int] = set()
    per_theme: dict[int, int] = {}
    for reason, candidates in (
        ("editorial", editorial),
        ("popular_in_sector", by_sector),
        ("popular", by_everyone),
        ("first_steps", easiest),
    ):
        for module in candidates:
            if len(chosen) >= limit:
                return chosen
            if module.pk in seen or per_theme.get(module.theme_id, 0) >= 2:
                continue
            seen.add(module.pk)
            per_theme[module.theme_id] = per_theme.get(module.theme_id, 0) + 1
            chosen.append(StartingPoint(module=module, reason=reason))
    return chosen
