"""Reads of the catalogue: what is published, filtered and searched, and the taxonomy."""

import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from cms.models import (
    Capability,
    CostBand,
    DiagnosticQuestion,
    DiagnosticQuestionnaire,
    Goal,
    Level,
    ModulePage,
    ModuleRelation,
    Sector,
    Theme,
)

TAXONOMY_MODELS = {"themes": Theme, "sectors": Sector, "goals": Goal, "capabilities": Capability, "levels": Level}


def published_modules() -> QuerySet[ModulePage]:
    """Live, public modules with everything a list or a detail needs, in a fixed number of queries."""
    return (
        ModulePage.objects.live()
        .public()
        .select_related("theme", "level")
        .prefetch_related("target_sectors", "goals", "capabilities_required", "capabilities_built")
        .order_by("theme__sort_order", "path")
    )


def published_ids(**lookups) -> list[int]:
    """Ids of live, public modules among those matching `lookups`."""
    return list(ModulePage.objects.live().public().filter(**lookups).values_list("pk", flat=True))


def published_module(*, slug: str) -> ModulePage | None:
    return (
        published_modules()
        .prefetch_related(
            "sources",
            Prefetch(
                "related_links",
                queryset=ModuleRelation.objects.select_related(
                    "related_module__theme", "related_module__level"
                ).prefetch_related(
                    "related_module__target_sectors",
                    "related_module__goals",
                    "related_module__capabilities_required",
                    "related_module__capabilities_built",
                ),
            ),
        )
        .filter(slug=slug)
        .first()
    )


@dataclass(frozen=True)
class ModuleFilters:
    """Filters of the module list; each list holds slugs, combined with OR inside a filter and AND across."""

    themes: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    goals: tuple[str, ...] = ()
    capabilities: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    cost_bands: tuple[str, ...] = ()
    query: str = ""


def filter_modules(*, filters: ModuleFilters, queryset: QuerySet[ModulePage] | None = None) -> list[ModulePage]:
    """Modules matching the filters; by search relevance when there is a query, else catalogue order.

    A module with no target sector suits every sector, so it matches any `sectors` filter.
    """
    queryset = published_modules() if queryset is None else queryset
    if filters.themes:
        queryset = queryset.filter(theme__slug__in=filters.themes)
    if filters.levels:
        queryset = queryset.filter(level__slug__in=filters.levels)
    if filters.cost_bands:
        queryset = queryset.filter(cost_band__in=filters.cost_bands)
    if filters.sectors:
        queryset = queryset.filter(
            Q(target_sectors__slug__in=filters.sectors) | Q(target_sectors__isnull=True)
        ).distinct()
    if filters.goals:
        queryset = queryset.filter(goals__slug__in=filters.goals).distinct()
    if filters.capabilities:
        queryset = queryset.filter(capabilities_built__slug__in=filters.capabilities).distinct()

    if not filters.query:
        return list(queryset)
    # Search over all live modules, then keep the filtered ones in relevance order: the search
    # backends cannot filter on many-to-many relations, and the catalogue is hundreds, not millions.
    ranked_ids = [page.pk for page in ModulePage.objects.live().public().search(filters.query, operator="and")]
    by_id = {module.pk: module for module in queryset.filter(pk__in=ranked_ids)}
    return [by_id[pk] for pk in ranked_ids if pk in by_id]


def known_slugs(kind: str) -> list[str]:
    if kind == "cost_bands":
        return list(CostBand.values)
    return list(TAXONOMY_MODELS[kind].objects.order_by("slug").values_list("slug", flat=True))


def themes_with_module_counts() -> QuerySet[Theme]:
    live = Q(modules__live=True)
    return Theme.objects.annotate(module_count=Count("modules", filter=live, distinct=True)).order_by(
        "sort_order", "name"
    )


@dataclass(frozen=True)
class Taxonomy:
    themes: Iterable[Theme]
    sectors: Iterable[Sector]
    goals: Iterable[Goal]
    capabilities: Iterable[Capability]
    levels: Iterable[Level]
    cost_bands: list[tuple[str, str]]


def taxonomy() -> Taxonomy:
    return Taxonomy(
        themes=themes_with_module_counts(),
        sectors=Sector.objects.all(),
        goals=Goal.objects.all(),
        capabilities=Capability.objects.select_related("theme"),
        levels=Level.objects.all(),
        cost_bands=list(CostBand.choices),
    )


def diagnostic_questionnaire(*, slug: str | None = None) -> DiagnosticQuestionnaire | None:
    queryset = DiagnosticQuestionnaire.objects.prefetch_related(
        "bands",
        Prefetch(
            "questions",
            queryset=DiagnosticQuestion.objects.select_related("theme").prefetch_related(
                "answers__capabilities", "excluded_sectors"
            ),
        ),
    )
    if slug:
        return queryset.filter(slug=slug).first()
    return queryset.order_by("id").first()


def catalogue_version(*, now=None) -> str:
    """A fingerprint that changes whenever anything the public content API shows changes, in one query.

    `ContentVersion.number` goes up with every logged page action, taxonomy or diagnostic edit
    (cms/signals.py). Editorial boosts also start and end with time alone: the boost windows of a content
    version never change, so each process reads them once per version and tells which are in force now.
    A revalidation (`If-None-Match`) is thus answered after one primary-key read.
    """
    from django.utils import timezone

    from cms.models import ContentVersion

    now = now or timezone.now()
    # The time of the change as well as its number: a number raised by a transaction that was then rolled
    # back may be raised again by another change, never at the same instant.
    version = ContentVersion.objects.filter(pk=1).values_list("number", "changed_at").first() or (0, None)
    in_force = [
        str(pk)
        for pk, starts, ends in _boost_windows(version)
        if (starts is None or starts <= now) and (ends is None or ends >= now)
    ]
    changed_at = version[1].timestamp() if version[1] else 0
    return f"{version[0]}.{changed_at}|{','.join(in_force)}"


_windows_by_version: dict[tuple, tuple] = {}


def _boost_windows(version: tuple) -> tuple:
    """`(module id, start, end)` of the boosted live modules at content `version` (kept per process)."""
    windows = _windows_by_version.get(version)
    if windows is None:
        windows = tuple(
            ModulePage.objects.live()
            .filter(boost_weight__gt=0)
            .order_by("pk")
            .values_list("pk", "boost_starts_at", "boost_ends_at")
        )
        _windows_by_version.clear()  # only the current version is ever asked again
        _windows_by_version[version] = windows
    return windows


def edit_versions(models: dict) -> tuple:
    """`(kind, count, last updated_at)` for each model that has rows, in one round trip (UNION ALL):
    adding, editing or deleting any row changes it."""
    from django.db.models import CharField, Max, Value

    per_model = [
        model.objects.annotate(version_of=Value(name, output_field=CharField()))
        .values("version_of")
        .annotate(n=Count("id"), updated=Max("updated_at"))
        .values_list("version_of", "n", "updated")
        .order_by()
        for name, model in models.items()
    ]
    return tuple(sorted(per_model[0].union(*per_model[1:], all=True)))


# --- Freshness of dated facts ----------------------------------------------------------------


@dataclass(frozen=True)
class DueCheck:
    """One line of the « À revérifier » report: a source to re-read, or a claim that cites none."""

    module: ModulePage
    reason: str
    source_key: str = ""
    source_title: str = ""
    source_url: str = ""
    checked_on: object = None  # date | None
    claim: str = ""

    @property
    def can_mark_rechecked(self) -> bool:
        return bool(self.source_key)


def checks_due(*, today=None) -> list[DueCheck]:
    """Sources checked more than RECHECK_AFTER_MONTHS ago, facts citing no known source and dates stated
    outside any fact, in every module's latest revision (drafts included: that is what editors will publish)."""
    from django.utils import timezone

    from cms import freshness

    today = today or timezone.localdate()
    threshold = freshness.recheck_threshold(today)
    due: list[DueCheck] = []
    for page in ModulePage.objects.select_related("latest_revision").order_by("path"):
        module = page.get_latest_revision_as_object()
        module.pk = page.pk
        sources = {source.key: source for source in module.sources.all()}
        for source in sources.values():
            if source.checked_on is None or source.checked_on < threshold:
                due.append(
                    DueCheck(
                        module=page,
                        reason=f"vérifiée il y a plus de {freshness.RECHECK_AFTER_MONTHS} mois",
                        source_key=source.key,
                        source_title=source.title,
                        source_url=source.url,
                        checked_on=source.checked_on,
                    )
                )
        for block in module.body.raw_data:
            value = block["value"]
            if block["type"] == "fact":
                text = freshness.plain(value.get("text", ""))
                keys = [item["value"] if isinstance(item, dict) else item for item in value.get("sources", [])]
                if not any(key in sources for key in keys):
                    due.append(DueCheck(module=page, reason="information sans source", claim=text.strip()[:200]))
            elif claims := freshness.dated_claims_in(json.dumps(value, ensure_ascii=False)):
                due.append(
                    DueCheck(
                        module=page,
                        reason=f"« {claims[0]} » hors d'un bloc « Information datée ou légale »",
                        claim=freshness.plain(json.dumps(value, ensure_ascii=False)).strip()[:200],
                    )
                )
    return due
