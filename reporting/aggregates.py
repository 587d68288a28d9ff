"""The observatory's figures, computed from plain per-merchant records (no Django: `reporting.selectors`
reads the database and hands records over), then protected by `reporting.disclosure`.

Population of a period: the merchants *active* in it (an engagement event, a self-diagnostic or a help
request dated in the period), erased merchants' anonymised records included. Every figure is computed from a
set of those merchants (its base); a base under k merchants hides the figure, and enough other cells are
hidden with it that the published totals give none away.

Published tables, per period (each row of the open data is one cell of one of them):
- merchants: the total; by sector, by area, by size band; sector × area, sector × size band, area × size band;
- themes: by theme; theme × sector, theme × area, theme × size band;
- capabilities: by capability; capability × sector, × area, × size band; capability × module (through which
  module it was gained).
Tables of three dimensions or more are not published: nearly every cell would be under k.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from statistics import median

from reporting.disclosure import TOTAL, is_small, protect_line, protect_rows, protect_two_way

UNKNOWN = "non-renseigne"
E_INVOICE_RECEPTION = "facturation-electronique-reception"  # the warning the barometer puts first


# --- Input records ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Diagnostic:
    at: datetime
    overall: int
    band: str
    theme_scores: dict
    capabilities: frozenset
    warnings: frozenset = frozenset()  # slugs of the legal-obligation warnings the run gave


@dataclass(frozen=True)
class Event:
    at: datetime
    kind: str
    module: int | None


@dataclass(frozen=True)
class HelpRequest:
    at: datetime
    theme: str
    matched_at: datetime | None
    done: bool
    satisfaction: int | None


@dataclass
class MerchantRecord:
    """One merchant (or an erased merchant's anonymised record): its slice and its dated history."""

    sector: str
    area: str
    size_band: str
    diagnostics: Sequence[Diagnostic] = ()  # oldest first
    events: Sequence[Event] = ()  # oldest first
    help_requests: Sequence[HelpRequest] = ()


@dataclass(frozen=True)
class Catalogue:
    module_theme: dict  # module id → theme slug
    module_builds: dict  # module id → capability slugs the module builds
    capability_theme: dict  # capability slug → theme slug
    bands: tuple  # maturity band slugs, lowest first
    warnings: tuple = ()  # (slug, French title) of the questionnaire's legal-obligation warnings


# --- What one merchant did in a period ------------------------------------------------------------


@dataclass
class Facts:
    sector: str
    area: str
    size_band: str
    latest: Diagnostic | None = None
    first: Diagnostic | None = None
    diagnostics_by_end: int = 0
    held: frozenset = frozenset()
    gained: dict = field(default_factory=dict)  # capability → module that built it first in the period
    started: set = field(default_factory=set)
    completed: set = field(default_factory=set)
    help_requests: list = field(default_factory=list)


def facts_for(record: MerchantRecord, start: datetime, end: datetime, catalogue: Catalogue) -> Facts | None:
    """What the merchant did in [start, end), or None when they were not active in it."""
    in_period = lambda at: start <= at < end  # noqa: E731
    diagnostics = [d for d in record.diagnostics if d.at < end]
    events = [e for e in record.events if e.at < end]
    requests = [h for h in record.help_requests if in_period(h.at)]
    active = requests or any(in_period(d.at) for d in diagnostics) or any(in_period(e.at) for e in events)
    if not active:
        return None
    facts = Facts(record.sector, record.area, record.size_band, help_requests=requests)
    if diagnostics:
        facts.first, facts.latest, facts.diagnostics_by_end = diagnostics[0], diagnostics[-1], len(diagnostics)
    held = set(facts.latest.capabilities) if facts.latest else set()
    for event in events:
        if event.kind == "completed" and event.module is not None and event.at < start:
            held |= set(catalogue.module_builds.get(event.module, ()))
    for event in events:
        if not in_period(event.at) or event.module is None:
            continue
        if event.kind == "started":
            facts.started.add(event.module)
        elif event.kind == "completed":
            facts.completed.add(event.module)
            for capability in catalogue.module_builds.get(event.module, ()):
                if capability not in held:
                    held.add(capability)
                    facts.gained[capability] = event.module
    facts.held = frozenset(held)
    return facts


# --- Measures ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    name: str
    base: str  # the count (a measure of kind "count") this figure is computed from
    kind: str  # "count" (distinct merchants), "sum", "mean", "median"
    label: str  # French, for the codebook and the report
    unit: str = "commerces"


def _merchant_measures(bands: Iterable[str], warnings: Iterable[tuple[str, str]] = ()) -> list[Measure]:
    measures = [
        Measure(
            "merchants_active",
            "merchants_active",
            "count",
            "Commerces actifs sur la période (un événement, un autodiagnostic ou une demande d'aide datés de la période)",
        ),
        Measure(
            "merchants_diagnosed",
            "merchants_diagnosed",
            "count",
            "Commerces actifs ayant fait au moins un autodiagnostic avant la fin de la période",
        ),
        Measure(
            "score_mean",
            "merchants_diagnosed",
            "mean",
            "Score global moyen du dernier autodiagnostic de chaque commerce (sur 100)",
            "points",
        ),
    ]
    measures += [
        Measure(
            f"band_{band}",
            f"band_{band}",
            "count",
            f"Commerces dont le dernier autodiagnostic est au niveau « {band} »",
        )
        for band in bands
    ]
    measures += [
        Measure(
            "merchants_rediagnosed",
            "merchants_rediagnosed",
            "count",
            "Commerces ayant fait au moins deux autodiagnostics avant la fin de la période",
        ),
        Measure(
            "score_change_mean",
            "merchants_rediagnosed",
            "mean",
            "Évolution moyenne du score global entre le premier et le dernier autodiagnostic (en points)",
            "points",
        ),
        Measure(
            "capabilities_held_mean",
            "merchants_active",
            "mean",
            "Nombre moyen de compétences numériques acquises à la fin de la période (dernier autodiagnostic et modules terminés)",
            "compétences",
        ),
    ]
    measures += [
        Measure(
            f"warning_{slug}",
            f"warning_{slug}",
            "count",
            f"Obligation légale : commerces dont le dernier autodiagnostic donne l'alerte « {title} » "
            "(les autodiagnostics passés avant l'ajout des alertes n'en portent aucune)",
        )
        for slug, title in warnings
    ]
    return measures + _activity_measures()


def _activity_measures() -> list[Measure]:
    return [
        Measure(
            "merchants_gaining",
            "merchants_gaining",
            "count",
            "Commerces ayant acquis au moins une compétence en terminant un module",
        ),
        Measure(
            "capabilities_gained",
            "merchants_gaining",
            "sum",
            "Compétences acquises en terminant un module",
            "compétences",
        ),
        Measure("merchants_starting", "merchants_starting", "count", "Commerces ayant commencé au moins un module"),
        Measure(
            "modules_started",
            "merchants_starting",
            "sum",
            "Modules commencés (une fois par commerce et par module)",
            "modules",
        ),
        Measure("merchants_completing", "merchants_completing", "count", "Commerces ayant terminé au moins un module"),
        Measure(
            "modules_completed",
            "merchants_completing",
            "sum",
            "Modules terminés (une fois par commerce et par module)",
            "modules",
        ),
        Measure("merchants_asking_help", "merchants_asking_help", "count", "Commerces ayant demandé un accompagnement"),
        Measure("help_requests", "merchants_asking_help", "sum", "Demandes d'accompagnement déposées", "demandes"),
        Measure(
            "merchants_matched",
            "merchants_matched",
            "count",
            "Commerces dont une demande de la période a trouvé un accompagnateur",
        ),
        Measure(
            "match_days_median", "merchants_matched", "median", "Délai médian de mise en relation (jours)", "jours"
        ),
        Measure(
            "merchants_helped", "merchants_helped", "count", "Commerces dont une demande de la période est terminée"
        ),
        Measure("merchants_rating", "merchants_rating", "count", "Commerces ayant noté l'accompagnement reçu"),
        Measure("satisfaction_mean", "merchants_rating", "mean", "Satisfaction moyenne (sur 5)", "sur 5"),
    ]


THEME_MEASURES = [
    Measure(
        "merchants_diagnosed",
        "merchants_diagnosed",
        "count",
        "Commerces actifs dont le dernier autodiagnostic note ce thème",
    ),
    Measure(
        "theme_score_mean",
        "merchants_diagnosed",
        "mean",
        "Score moyen du thème au dernier autodiagnostic (sur 100)",
        "points",
    ),
    *_activity_measures(),
]

CAPABILITY_MEASURES = [
    Measure(
        "merchants_holding",
        "merchants_holding",
        "count",
        "Commerces actifs ayant cette compétence à la fin de la période",
    ),
    Measure(
        "merchants_gaining",
        "merchants_gaining",
        "count",
        "Commerces ayant acquis cette compétence en terminant un module pendant la période",
    ),
]

MODULE_MEASURES = [
    Measure(
        "merchants_gaining",
        "merchants_gaining",
        "count",
        "Commerces ayant acquis cette compétence en terminant ce module pendant la période",
    ),
]


def merchant_measures(catalogue: Catalogue) -> list[Measure]:
    return _merchant_measures(catalogue.bands, catalogue.warnings)


def _mean(values: list) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def _activity(facts: list[Facts], catalogue: Catalogue, theme: str | None = None) -> dict:
    in_theme = (lambda module: catalogue.module_theme.get(module) == theme) if theme else (lambda module: True)
    cap_in_theme = (lambda cap: catalogue.capability_theme.get(cap) == theme) if theme else (lambda cap: True)
    gained = [[c for c in f.gained if cap_in_theme(c)] for f in facts]
    started = [[m for m in f.started if in_theme(m)] for f in facts]
    completed = [[m for m in f.completed if in_theme(m)] for f in facts]
    requests = [[h for h in f.help_requests if theme is None or h.theme == theme] for f in facts]
    matched = [[h for h in hs if h.matched_at is not None] for hs in requests]
    rated = [[h.satisfaction for h in hs if h.satisfaction is not None] for hs in requests]
    match_days = [min((h.matched_at - h.at).total_seconds() / 86400 for h in hs) for hs in matched if hs]
    return {
        "merchants_gaining": sum(1 for g in gained if g),
        "capabilities_gained": sum(len(g) for g in gained),
        "merchants_starting": sum(1 for s in started if s),
        "modules_started": sum(len(s) for s in started),
        "merchants_completing": sum(1 for c in completed if c),
        "modules_completed": sum(len(c) for c in completed),
        "merchants_asking_help": sum(1 for hs in requests if hs),
        "help_requests": sum(len(hs) for hs in requests),
        "merchants_matched": sum(1 for hs in matched if hs),
        "match_days_median": round(median(match_days), 1) if match_days else None,
        "merchants_helped": sum(1 for hs in requests if any(h.done for h in hs)),
        "merchants_rating": sum(1 for r in rated if r),
        "satisfaction_mean": _mean([sum(r) / len(r) for r in rated if r]),
    }


def merchant_cell(facts: list[Facts], catalogue: Catalogue) -> dict:
    diagnosed = [f for f in facts if f.latest]
    rediagnosed = [f for f in diagnosed if f.diagnostics_by_end >= 2]
    values = {
        "merchants_active": len(facts),
        "merchants_diagnosed": len(diagnosed),
        "score_mean": _mean([f.latest.overall for f in diagnosed]),
        "merchants_rediagnosed": len(rediagnosed),
        "score_change_mean": _mean([f.latest.overall - f.first.overall for f in rediagnosed]),
        "capabilities_held_mean": _mean([len(f.held) for f in facts]),
    }
    for slug, _title in catalogue.warnings:
        values[f"warning_{slug}"] = sum(1 for f in diagnosed if slug in f.latest.warnings)
    for band in catalogue.bands:
        values[f"band_{band}"] = sum(1 for f in diagnosed if f.latest.band == band)
    return values | _activity(facts, catalogue)


def theme_cell(facts: list[Facts], catalogue: Catalogue, theme: str) -> dict:
    scored = [f.latest.theme_scores[theme] for f in facts if f.latest and theme in f.latest.theme_scores]
    return {"merchants_diagnosed": len(scored), "theme_score_mean": _mean(scored)} | _activity(facts, catalogue, theme)


def capability_cell(facts: list[Facts], capability: str) -> dict:
    return {
        "merchants_holding": sum(1 for f in facts if capability in f.held),
        "merchants_gaining": sum(1 for f in facts if capability in f.gained),
    }


# --- Tables and their protection -------------------------------------------------------------------

MERCHANT_DIMENSIONS = ("sector", "area", "size_band")
PAIRS = (("sector", "area"), ("sector", "size_band"), ("area", "size_band"))


@dataclass
class Cell:
    table: str
    dimensions: dict  # dimension → value ("sector": "restauration", ...); absent means all
    values: dict  # measure → number, None when hidden or not applicable
    hidden: list  # measures hidden by the small-cell rule


@dataclass
class TableSet:
    cells: list[Cell]
    measures: dict  # table family → list[Measure]


def _group(facts: list[Facts], *dimensions: str) -> dict:
    groups: dict = {}
    for f in facts:
        groups.setdefault(tuple(getattr(f, d) for d in dimensions), []).append(f)
    return groups


def _protect_family(tables: dict, measures: list[Measure], k: int, *, additive_over_rows: bool) -> dict:
    """`tables`: name → {(row, column): values} where one-way tables use column TOTAL and the total cell is
    (TOTAL, TOTAL). Returns name → {(row, column): set of hidden measure names}."""
    hidden: dict = {name: {key: set() for key in cells} for name, cells in tables.items()}
    bases = sorted({m.base for m in measures})
    for base in bases:
        derived = [m.name for m in measures if m.base == base]
        base_hidden: dict = {}
        for name, cells in tables.items():
            if not _has(cells, base):
                continue
            if name.count("×") == 0:
                line = {key: cells[key][base] for key in cells}
                if additive_over_rows:
                    base_hidden[name] = protect_line(
                        line, k=k, hidden=_total_hidden(tables, base, k), fixed=[(TOTAL, TOTAL)]
                    )
                else:
                    base_hidden[name] = {key for key, value in line.items() if is_small(value, k)}
        for name, cells in tables.items():
            if name.count("×") != 1 or not _has(cells, base):
                continue
            row_dim, column_dim = name.split("×")
            values = {key: cells[key][base] for key in cells}
            if additive_over_rows:
                margins = _margins(tables, base_hidden, row_dim, column_dim)
                base_hidden[name] = protect_two_way(values, k=k, hidden_margins=margins)
            else:
                row_totals = {
                    row: tables[row_dim][(row, TOTAL)][base] for (row, _c) in cells if (row, TOTAL) in tables[row_dim]
                }
                hidden_totals = {row for (row, _c) in base_hidden[row_dim]}
                base_hidden[name] = protect_rows(values, row_totals, hidden_totals, k=k)
        for name, keys in base_hidden.items():
            for key in keys:
                if key in hidden[name]:
                    hidden[name][key].update(derived)
    return hidden


def _has(cells: dict, base: str) -> bool:
    return any(base in values for values in cells.values())


def _total_hidden(tables, base, k):
    total = tables.get("total", {}).get((TOTAL, TOTAL))
    return [(TOTAL, TOTAL)] if total is not None and is_small(total[base], k) else []


def _margins(tables, base_hidden, row_dim, column_dim) -> set:
    margins = {(row, TOTAL) for (row, _c) in base_hidden[row_dim] if row != TOTAL}
    margins |= {(TOTAL, column) for (column, _c) in base_hidden[column_dim] if column != TOTAL}
    if (TOTAL, TOTAL) in base_hidden[row_dim] or (TOTAL, TOTAL) in base_hidden[column_dim]:
        margins.add((TOTAL, TOTAL))
    return margins


def _complete(groups: dict, rows: Iterable, columns: Iterable, compute) -> dict:
    """Every (row, column) cell of a two-way table, zeros included (a line is only additive when whole)."""
    return {(row, column): compute(groups.get((row, column), [])) for row in rows for column in columns}


def build_tables(
    records: Iterable[MerchantRecord],
    *,
    start: datetime,
    end: datetime,
    catalogue: Catalogue,
    themes: Sequence[str],
    capabilities: Sequence[str],
    k: int,
    one_way_only: bool = False,
) -> TableSet:
    """Every published table of the period (`one_way_only`: the total and the one-way merchant tables, which
    do not depend on the others' protection — enough for a monthly series)."""
    facts = [f for f in (facts_for(r, start, end, catalogue) for r in records) if f is not None]
    cells: list[Cell] = []

    # Merchants: one-way tables keyed (value, TOTAL); the total (TOTAL, TOTAL) belongs to each of them.
    merchant = lambda group: merchant_cell(group, catalogue)  # noqa: E731
    total = merchant(facts)
    domains = {d: sorted({getattr(f, d) for f in facts}) for d in MERCHANT_DIMENSIONS}
    tables: dict = {"total": {(TOTAL, TOTAL): total}}
    for d in MERCHANT_DIMENSIONS:
        groups = _group(facts, d)
        tables[d] = {(value, TOTAL): merchant(groups[(value,)]) for value in domains[d]} | {(TOTAL, TOTAL): total}
    for a, b in () if one_way_only else PAIRS:
        groups = _group(facts, a, b)
        inner = _complete(groups, domains[a], domains[b], merchant)
        tables[f"{a}×{b}"] = (
            inner
            | {(row, TOTAL): tables[a][(row, TOTAL)] for row in domains[a]}
            | {(TOTAL, column): tables[b][(column, TOTAL)] for column in domains[b]}
            | {(TOTAL, TOTAL): total}
        )
    measures = merchant_measures(catalogue)
    hidden = _protect_family(tables, measures, k, additive_over_rows=True)
    cells += _cells(tables, hidden, measures, skip_margins=True)
    if one_way_only:
        return TableSet(cells, {"merchants": measures})

    # Themes: a merchant counts under every theme they touched, so only rows (one theme) add up.
    theme_tables: dict = {"theme": {(t, TOTAL): theme_cell(facts, catalogue, t) for t in themes}}
    for d in MERCHANT_DIMENSIONS:
        groups = _group(facts, d)
        theme_tables[f"theme×{d}"] = {
            (t, value): theme_cell(groups[(value,)], catalogue, t) for t in themes for value in domains[d]
        }
    hidden = _protect_family(theme_tables, THEME_MEASURES, k, additive_over_rows=False)
    cells += _cells(theme_tables, hidden, THEME_MEASURES, row_dimension="theme")

    capability_tables: dict = {"capability": {(c, TOTAL): capability_cell(facts, c) for c in capabilities}}
    for d in MERCHANT_DIMENSIONS:
        groups = _group(facts, d)
        capability_tables[f"capability×{d}"] = {
            (c, value): capability_cell(groups[(value,)], c) for c in capabilities for value in domains[d]
        }
    gains: dict = {}
    for f in facts:
        for capability, module in f.gained.items():
            gains[(capability, module)] = gains.get((capability, module), 0) + 1
    capability_tables["capability×module"] = {key: {"merchants_gaining": count} for key, count in gains.items()}
    hidden = _protect_family(capability_tables, CAPABILITY_MEASURES, k, additive_over_rows=False)
    cells += _cells(capability_tables, hidden, CAPABILITY_MEASURES, row_dimension="capability")
    return TableSet(cells, {"merchants": measures, "themes": THEME_MEASURES, "capabilities": CAPABILITY_MEASURES})


def _cells(tables, hidden, measures, *, skip_margins=False, row_dimension=None) -> list[Cell]:
    names = [m.name for m in measures]
    out = []
    for name, cells in tables.items():
        for (row, column), values in cells.items():
            if skip_margins and name.count("×") == 1 and TOTAL in (row, column):
                continue  # margins are the one-way tables' cells, published once
            if name != "total" and (row, column) == (TOTAL, TOTAL):
                continue  # the total is published once, in "total"
            if name == "total":
                dimensions = {}
            elif name.count("×") == 0:
                dimensions = {row_dimension or name: row}
            else:
                first, second = name.split("×")
                dimensions = {first: row, second: column}
            secret = sorted(hidden[name][(row, column)] & set(names))
            shown = {m: (None if m in secret else values.get(m)) for m in names if m in values}
            out.append(Cell(name, dimensions, shown, secret))
    return out
