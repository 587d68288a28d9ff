"""The observatory's figures on a seeded population: totals match the raw data, every cell under k is hidden
and none can be worked out from the published totals, and erased merchants keep counting."""

from datetime import UTC, datetime

import pytest
from django.db.models import Q

from merchants.models import DiagnosticResult, EngagementEvent, MerchantProfile
from merchants.services import erase_merchant
from missions.models import Mission
from reporting import selectors
from reporting.aggregates import PAIRS
from reporting.disclosure import TOTAL
from reporting.periods import parse_period
from tests.reporting.audit import recoverable, two_way_equations

pytestmark = [pytest.mark.usefixtures("demo_population"), pytest.mark.django_db]

K = 10


def this_year():
    return parse_period(str(datetime.now(UTC).year))


def active_merchants(period):
    start, end = selectors._bounds(period)
    return MerchantProfile.objects.filter(
        Q(events__occurred_at__gte=start, events__occurred_at__lt=end)
        | Q(diagnostics__created_at__gte=start, diagnostics__created_at__lt=end)
        | Q(missions__created_at__gte=start, missions__created_at__lt=end)
    ).distinct()


def test_totals_match_the_raw_data():
    period = this_year()
    start, end = selectors._bounds(period)
    observatory = selectors.observatory_for(period=period, k=K)
    total = observatory.total.values
    active = list(active_merchants(period))
    assert total["merchants_active"] == len(active) > 0

    latest = [
        DiagnosticResult.objects.filter(merchant=m, created_at__lt=end).order_by("-created_at", "-id").first()
        for m in active
    ]
    scores = [d.overall_score for d in latest if d]
    assert total["merchants_diagnosed"] == len(scores)
    assert total["score_mean"] == pytest.approx(sum(scores) / len(scores), abs=0.05)
    warned = [d for d in latest if d and any(w["slug"] == "facturation-electronique-reception" for w in d.warnings)]
    assert total["warning_facturation-electronique-reception"] == len(warned) > 0

    completed = set(
        EngagementEvent.objects.filter(
            kind="completed", occurred_at__gte=start, occurred_at__lt=end, merchant__isnull=False
        ).values_list("merchant_id", "module_slug")
    )
    assert total["modules_completed"] == len(completed)
    assert total["merchants_completing"] == len({merchant for merchant, _ in completed})
    requests = Mission.objects.filter(created_at__gte=start, created_at__lt=end)
    assert total["help_requests"] == requests.count()
    assert total["merchants_asking_help"] == requests.values("merchant").distinct().count()
    rated = [r.satisfaction for r in requests if r.satisfaction]
    assert (
        total["merchants_rating"] == requests.filter(satisfaction__isnull=False).values("merchant").distinct().count()
    )
    if total["satisfaction_mean"] is not None:
        assert 1 <= total["satisfaction_mean"] <= 5 and rated

    # Sector by sector, every shown figure is the raw one, and raw figures add up to the total.
    by_sector = {}
    for merchant in active:
        key = merchant.sector.slug if merchant.sector else "non-renseigne"
        by_sector[key] = by_sector.get(key, 0) + 1
    published = {cell.dimensions["sector"]: cell.values["merchants_active"] for cell in observatory.table("sector")}
    assert set(published) == set(by_sector)
    for sector, value in published.items():
        assert value is None or value == by_sector[sector]
    assert sum(by_sector.values()) == total["merchants_active"]


def published_table(observatory, name, measure):
    """{(row, column): value or None} for a two-way table, margins from the one-way tables."""
    a, b = name.split("×")
    values = {}
    for cell in observatory.table(name):
        values[(cell.dimensions[a], cell.dimensions[b])] = cell.values[measure]
    for cell in observatory.table(a):
        values[(cell.dimensions[a], TOTAL)] = cell.values[measure]
    for cell in observatory.table(b):
        values[(TOTAL, cell.dimensions[b])] = cell.values[measure]
    values[(TOTAL, TOTAL)] = observatory.total.values[measure]
    return values


@pytest.mark.parametrize("period_key", ["year", "month"])
def test_every_small_cell_is_hidden_and_none_is_recoverable_from_row_and_column_totals(period_key):
    period = this_year() if period_key == "year" else parse_period(datetime.now(UTC).strftime("%Y-%m"))
    protected = selectors.observatory_for(period=period, k=K)
    raw = selectors.observatory_for(period=period, k=1)  # k = 1 hides nothing: the raw figures
    counts = [m for m in protected.measures["merchants"] if m.kind == "count"]
    hidden_somewhere = 0
    for measure in counts:
        for name in ("sector", "area", "size_band"):
            for cell in raw.table(name):
                shown = protected.cell(name, **cell.dimensions).values[measure.name]
                value = cell.values[measure.name]
                if 0 < value < K:
                    assert shown is None, (name, cell.dimensions, measure.name, value)
                else:
                    assert shown in (None, value)
        for a, b in PAIRS:
            name = f"{a}×{b}"
            table = published_table(protected, name, measure.name)
            truth = published_table(raw, name, measure.name)
            for key, value in truth.items():
                assert (table[key] is None) if 0 < value < K else table[key] in (None, value), (name, key, measure.name)
            hidden = {key for key, value in table.items() if value is None}
            hidden_somewhere += len(hidden)
            rows = sorted({r for r, c in table if r != TOTAL})
            columns = sorted({c for r, c in table if c != TOTAL})
            assert not recoverable(two_way_equations(rows, columns), hidden), (name, measure.name)
    for family, row_dimension in (("themes", "theme"), ("capabilities", "capability")):
        for measure in [m for m in protected.measures[family] if m.kind == "count"]:
            totals = {c.dimensions[row_dimension]: c.values[measure.name] for c in protected.table(row_dimension)}
            for column in ("sector", "area", "size_band"):
                name = f"{row_dimension}×{column}"
                table = {
                    (c.dimensions[row_dimension], c.dimensions[column]): c.values[measure.name]
                    for c in protected.table(name)
                }
                truth = {
                    (c.dimensions[row_dimension], c.dimensions[column]): c.values[measure.name] for c in raw.table(name)
                }
                for key, value in truth.items():
                    assert (table[key] is None) if 0 < value < K else table[key] in (None, value), (
                        name,
                        key,
                        measure.name,
                    )
                hidden = {key for key, value in table.items() if value is None}
                hidden |= {(row, TOTAL) for row, value in totals.items() if value is None}
                equations = [[((row, c), 1) for (r, c) in table if r == row] + [((row, TOTAL), -1)] for row in totals]
                assert not recoverable(equations, hidden), (name, measure.name)
                hidden_somewhere += len(hidden)
    assert hidden_somewhere > 0, "the seeded population has small cells: the test would prove nothing otherwise"


def test_means_are_hidden_with_their_base():
    protected = selectors.observatory_for(period=this_year(), k=K)
    for cell in protected.cells:
        if "merchants_diagnosed" in cell.hidden and "score_mean" in cell.values:
            assert cell.values["score_mean"] is None
        if cell.values.get("merchants_rating") is None and "satisfaction_mean" in cell.values:
            assert cell.values["satisfaction_mean"] is None


def test_an_erased_merchants_anonymised_record_keeps_counting():
    period = this_year()
    before = selectors.observatory_for(period=period, k=1).total.values
    merchant = active_merchants(period).filter(diagnostics__isnull=False, events__isnull=False).first()
    diagnostics = merchant.diagnostics.count()
    erase_merchant(merchant=merchant)
    assert not MerchantProfile.objects.filter(pk=merchant.pk).exists()
    assert DiagnosticResult.objects.filter(merchant__isnull=True, erased_merchant__isnull=False).count() == diagnostics
    assert DiagnosticResult.objects.filter(erased_merchant__isnull=False, answers={}).count() == diagnostics
    after = selectors.observatory_for(period=period, k=1).total.values
    for measure in (
        "merchants_active",
        "merchants_diagnosed",
        "score_mean",
        "modules_completed",
        "merchants_completing",
    ):
        assert after[measure] == before[measure], measure
