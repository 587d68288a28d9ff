"""What the dashboard and the printed barometer show for a period and a population (all merchants, or one
sector, territory or size band): key figures, charts and tables, all read from the protected tables."""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from reporting import charts
from reporting.aggregates import E_INVOICE_RECEPTION
from reporting.periods import Period, months_up_to, parse_period
from reporting.periods import month as month_of
from reporting.selectors import DIMENSION_LABELS, Observatory, data_version, observatory_for

FILTERABLE = ("sector", "area", "size_band")
TITLE = "Baromètre de la transition numérique des commerces marseillais"


class InvalidPopulation(ValueError):
    pass


@dataclass(frozen=True)
class Population:
    dimension: str | None = None
    value: str | None = None

    @classmethod
    def parse(cls, text: str | None) -> "Population":
        """ "" (all merchants) or "<dimension>:<value>", e.g. "sector:restauration", "area:13201"."""
        if not text:
            return cls()
        dimension, _, value = text.partition(":")
        if dimension not in FILTERABLE or not value:
            raise InvalidPopulation(
                "Population invalide : « secteur », « territoire » ou « taille » suivis d'une valeur."
            )
        return cls(dimension, value)

    @property
    def key(self) -> str:
        return f"{self.dimension}:{self.value}" if self.dimension else ""

    def cell_values(self, observatory: Observatory) -> dict | None:
        if not self.dimension:
            return observatory.total.values
        cell = observatory.cell(self.dimension, **{self.dimension: self.value})
        return cell.values if cell else None


@dataclass
class KeyFigure:
    label: str
    value: str  # formatted in French, or "secret statistique"
    hint: str = ""


@dataclass
class Barometer:
    period: Period
    population: Population
    population_label: str
    k: int
    figures: list[KeyFigure]
    charts: list = field(default_factory=list)  # (id, Chart)
    sector_rows: list = field(default_factory=list)
    bands: list = field(default_factory=list)
    obligations: list = field(default_factory=list)  # (French title of the legal warning, share of diagnosed)
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    empty: bool = False

    title = TITLE


def _fmt(value, *, decimals=0, unit="") -> str:
    if value is None:
        return "secret statistique"
    text = f"{value:,.{decimals}f}".replace(",", "\u202f").replace(".", ",")
    return f"{text}{unit}"


def _share(part, whole) -> str:
    if part is None or not whole:
        return "secret statistique"
    return _fmt(100 * part / whole, unit=" %")


def key_figures(values: dict) -> list[KeyFigure]:
    change = values.get("score_change_mean")
    return [
        KeyFigure("Commerces actifs", _fmt(values.get("merchants_active"))),
        KeyFigure("Score moyen du dernier autodiagnostic", _fmt(values.get("score_mean"), unit=" / 100")),
        KeyFigure(
            "Évolution moyenne du score",
            "secret statistique"
            if change is None
            else ("+" if change >= 0 else "") + _fmt(change, decimals=1, unit=" points"),
            "entre le premier et le dernier autodiagnostic",
        ),
        KeyFigure(
            "Pas encore prêts à recevoir des factures électroniques",
            _share(values.get(f"warning_{E_INVOICE_RECEPTION}"), values.get("merchants_diagnosed")),
            "obligation légale : part des commerces diagnostiqués",
        ),
        KeyFigure("Modules terminés", _fmt(values.get("modules_completed"))),
        KeyFigure("Compétences acquises", _fmt(values.get("capabilities_gained"))),
        KeyFigure("Demandes d'accompagnement", _fmt(values.get("help_requests"))),
        KeyFigure("Satisfaction des accompagnements", _fmt(values.get("satisfaction_mean"), decimals=1, unit=" / 5")),
    ]


def build(*, period: Period, population: Population = Population(), months: int = 12) -> Barometer:
    version = data_version()
    observatory = observatory_for(period=period, version=version)
    values = population.cell_values(observatory)
    label = (
        "Tous les commerces"
        if not population.dimension
        else (f"{DIMENSION_LABELS[population.dimension]} : {observatory.label(population.dimension, population.value)}")
    )
    if values is None:  # nobody of that population was active in the period
        values = {}
    barometer = Barometer(period, population, label, observatory.k, key_figures(values), empty=not values)
    fixed = {population.dimension: population.value} if population.dimension else {}

    def table_for(dimension):
        if not population.dimension or population.dimension == dimension:
            return dimension, {}
        pair = next(
            f"{a}×{b}"
            for a, b in (("sector", "area"), ("sector", "size_band"), ("area", "size_band"))
            if {a, b} == {dimension, population.dimension}
        )
        return pair, fixed

    table, extra = table_for("sector")
    barometer.charts.append(("maturite-secteur", charts.maturity_by(observatory, "sector", table=table, **extra)))
    table, extra = table_for("area")
    barometer.charts.append(("maturite-territoire", charts.maturity_by(observatory, "area", table=table, **extra)))
    series = []
    today = datetime.now(UTC).date()
    last = period if period.end <= today else month_of(today.year, today.month)  # no empty future months
    for month in months_up_to(last, months):
        monthly = observatory_for(period=month, one_way_only=True, version=version)
        series.append((month.label, population.cell_values(monthly) or {}))
    barometer.charts.append(("evolution", charts.evolution(series)))
    capability_table = f"capability×{population.dimension}" if population.dimension else "capability"
    barometer.charts.append(("competences", charts.capabilities_gained(observatory, table=capability_table, **fixed)))
    barometer.charts.append(("accompagnements", charts.help_flow(values, k=observatory.k)))

    barometer.obligations = [
        (title, _share(values.get(f"warning_{slug}"), values.get("merchants_diagnosed")))
        for slug, title in observatory.labels.get("warning", {}).items()
    ]
    band_labels = observatory.labels.get("band", {})
    barometer.bands = [(slug, band_labels.get(slug, slug)) for slug in _bands(observatory)]
    for cell in observatory.table(table_for("sector")[0]):
        if any(cell.dimensions.get(key) != value for key, value in table_for("sector")[1].items()):
            continue
        v = cell.values
        barometer.sector_rows.append(
            {
                "label": observatory.label("sector", cell.dimensions["sector"]),
                "active": _fmt(v.get("merchants_active")),
                "score": _fmt(v.get("score_mean")),
                "bands": [_share(v.get(f"band_{slug}"), v.get("merchants_diagnosed")) for slug, _ in barometer.bands],
                "completed": _fmt(v.get("modules_completed")),
                "help": _fmt(v.get("help_requests")),
            }
        )
    return barometer


def _bands(observatory: Observatory) -> list[str]:
    return [m.name.removeprefix("band_") for m in observatory.measures["merchants"] if m.name.startswith("band_")]


def default_period() -> Period:
    return parse_period(str(datetime.now(UTC).year))


def close(barometer: Barometer) -> None:
    for _, chart in barometer.charts:
        chart.close()
