"""Reads for the observatory: the merchants' records (erased merchants' anonymised ones included) turned into
plain data for `reporting.aggregates`, and the protected tables of a period with their French labels.
Selectors only: nothing here writes (tests/reporting/test_reporting_never_writes.py)."""

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max

from cms.models import Capability, DiagnosticQuestionnaire, MaturityBand, ModulePage, Sector, Theme
from merchants.models import DiagnosticResult, EngagementEvent, ErasedMerchant, MerchantProfile, SizeBand
from missions.models import Mission
from reporting import aggregates
from reporting.aggregates import Catalogue, Cell, MerchantRecord
from reporting.areas import all_areas, area_for_postcode
from reporting.periods import Period

logger = logging.getLogger(__name__)

DIMENSION_LABELS = {
    "sector": "Secteur",
    "area": "Territoire",
    "size_band": "Taille",
    "theme": "Thème",
    "capability": "Compétence",
    "module": "Module",
}


def min_cell_size() -> int:
    return int(settings.OBSERVATORY["MIN_CELL_SIZE"])


def _bounds(period: Period) -> tuple[datetime, datetime]:
    zone = ZoneInfo(settings.TIME_ZONE)
    return datetime.combine(period.start, time(), zone), datetime.combine(period.end, time(), zone)


def catalogue() -> Catalogue:
    modules = ModulePage.objects.values_list("slug", "theme__slug")
    builds: dict = {}
    for slug, capability in ModulePage.capabilities_built.through.objects.values_list(
        "modulepage__slug", "capability__slug"
    ):
        builds.setdefault(slug, []).append(capability)
    warnings: dict = {}
    for rules in DiagnosticQuestionnaire.objects.order_by("pk").values_list("warning_rules", flat=True):
        for rule in rules or ():
            if isinstance(rule, dict) and rule.get("slug"):
                warnings.setdefault(rule["slug"], rule.get("title") or rule["slug"])
    bands: dict = {}
    for slug, minimum in MaturityBand.objects.order_by("min_score", "sort_order").values_list("slug", "min_score"):
        bands.setdefault(slug, minimum)
    return Catalogue(
        module_theme=dict(modules),
        module_builds={slug: tuple(caps) for slug, caps in builds.items()},
        capability_theme=dict(Capability.objects.values_list("slug", "theme__slug")),
        bands=tuple(bands),
        warnings=tuple(warnings.items()),
    )


def merchant_records(*, until: datetime) -> list[MerchantRecord]:
    """Every merchant and every erased merchant's stand-in, with their history before `until`, in five
    queries whatever the population."""
    records: dict = {}
    for pk, sector, size_band, postcode in MerchantProfile.objects.values_list(
        "pk", "sector__slug", "size_band", "postcode"
    ):
        records[("m", pk)] = _record(sector, size_band, postcode)
    for pk, sector, size_band, postcode in ErasedMerchant.objects.values_list(
        "pk", "sector__slug", "size_band", "postcode"
    ):
        records[("e", pk)] = _record(sector, size_band, postcode)

    diagnostics = DiagnosticResult.objects.filter(created_at__lt=until).order_by("created_at", "id")
    for merchant, erased, at, overall, band, theme_scores, capabilities, warnings in diagnostics.values_list(
        "merchant_id",
        "erased_merchant_id",
        "created_at",
        "overall_score",
        "band_slug",
        "theme_scores",
        "capabilities_detected",
        "warnings",
    ):
        record = records.get(("m", merchant) if merchant else ("e", erased))
        if record is not None:
            slugs = frozenset(w["slug"] for w in warnings or () if isinstance(w, dict) and w.get("slug"))
            record.diagnostics.append(
                aggregates.Diagnostic(at, overall, band, theme_scores or {}, frozenset(capabilities or ()), slugs)
            )
    events = EngagementEvent.objects.filter(occurred_at__lt=until).order_by("occurred_at", "id")
    for merchant, erased, at, kind, module in events.values_list(
        "merchant_id", "erased_merchant_id", "occurred_at", "kind", "module_slug"
    ):
        record = records.get(("m", merchant) if merchant else ("e", erased))
        if record is not None:  # events anonymised before stand-ins existed have no slice left
            record.events.append(aggregates.Event(at, kind, module))
    # Help requests are missions (missions app); an erased merchant's missions have no merchant and no slice.
    requests = Mission.objects.filter(created_at__lt=until).order_by("created_at", "id")
    for merchant, at, theme, matched_at, status, satisfaction in requests.values_list(
        "merchant_id", "created_at", "theme__slug", "matched_at", "status", "satisfaction"
    ):
        record = records.get(("m", merchant))
        if record is not None:
            record.help_requests.append(
                aggregates.HelpRequest(at, theme, matched_at, status == Mission.Status.DONE, satisfaction)
            )
    return list(records.values())


def _record(sector, size_band, postcode) -> MerchantRecord:
    return MerchantRecord(
        sector=sector or aggregates.UNKNOWN,
        area=area_for_postcode(postcode).code,
        size_band=size_band or aggregates.UNKNOWN,
        diagnostics=[],
        events=[],
        help_requests=[],
    )


@dataclass
class Observatory:
    """The protected tables of one period, and everything needed to label them in French."""

    period: Period
    k: int
    cells: list[Cell]
    measures: dict  # family → [Measure]
    labels: dict = field(default_factory=dict)  # dimension → {value: French label}

    def table(self, name: str) -> list[Cell]:
        return [cell for cell in self.cells if cell.table == name]

    def cell(self, name: str, **dimensions) -> Cell | None:
        return next((c for c in self.cells if c.table == name and c.dimensions == dimensions), None)

    @property
    def total(self) -> Cell:
        return self.cell("total")

    def label(self, dimension: str, value) -> str:
        return self.labels.get(dimension, {}).get(value, str(value))


def labels() -> dict:
    return {
        "sector": dict(Sector.objects.values_list("slug", "name")) | {aggregates.UNKNOWN: "Secteur non renseigné"},
        "size_band": dict(SizeBand.choices) | {aggregates.UNKNOWN: "Taille non renseignée"},
        "area": {area.code: area.label for area in all_areas()},
        "theme": dict(Theme.objects.values_list("slug", "name")),
        "capability": dict(Capability.objects.values_list("slug", "name")),
        "module": dict(ModulePage.objects.values_list("slug", "title")),
        "band": dict(MaturityBand.objects.order_by("min_score").values_list("slug", "label")),
        "warning": dict(catalogue().warnings),
    }


def data_version() -> str:
    """Changes whenever a figure could: counts and latest changes of every table the observatory reads."""
    parts = [
        MerchantProfile.objects.aggregate(n=Count("pk"), last=Max("updated_at")),
        ErasedMerchant.objects.aggregate(n=Count("pk"), last=Max("pk")),
        DiagnosticResult.objects.aggregate(n=Count("pk"), last=Max("pk")),
        EngagementEvent.objects.aggregate(n=Count("pk"), last=Max("pk")),
        Mission.objects.aggregate(n=Count("pk"), last=Max("updated_at")),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def observatory_for(
    *, period: Period, k: int | None = None, one_way_only: bool = False, version: str | None = None
) -> Observatory:
    """The period's protected tables (`one_way_only`: the total and the one-way merchant tables, for monthly
    series); cached, keyed by the data's version, and recomputed when the cache fails."""
    k = k or min_cell_size()
    # `version`: a caller reading several periods in one request computes the data's version once
    key = f"observatory:{period.key}:{k}:{int(one_way_only)}:{version or data_version()}"
    try:
        cached = cache.get(key)
    except Exception:  # noqa: BLE001 - a failing cache only costs the computation
        logger.warning("observatory cache unavailable", exc_info=True)
        cached = None
    if cached is not None:
        return cached
    start, end = _bounds(period)
    tables = aggregates.build_tables(
        merchant_records(until=end),
        start=start,
        end=end,
        catalogue=catalogue(),
        themes=list(Theme.objects.order_by("sort_order", "name").values_list("slug", flat=True)),
        capabilities=list(Capability.objects.order_by("sort_order", "name").values_list("slug", flat=True)),
        k=k,
        one_way_only=one_way_only,
    )
    result = Observatory(period, k, tables.cells, tables.measures, labels())
    try:
        cache.set(key, result, timeout=600)
    except Exception:  # noqa: BLE001
        logger.warning("observatory cache unavailable", exc_info=True)
    return result
