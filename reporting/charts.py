"""The observatory's charts, drawn server-side with matplotlib: inline SVG for the admin and the HTML report
(text kept as text, with a French title for screen readers), PNG for the PDF. Hidden cells are never drawn;
each chart says how many were hidden."""

import io
import re
from dataclasses import dataclass, field

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from reporting.selectors import Observatory  # noqa: E402

BLUE, GREEN, ORANGE, GREY = "#1f5f99", "#2f7d4f", "#b35c00", "#595959"
plt.rcParams["svg.fonttype"] = "none"  # text stays text: readable, searchable, translatable
plt.rcParams["font.family"] = "DejaVu Sans"
plt.rcParams["font.size"] = 10


@dataclass
class Chart:
    title: str
    description: str  # what a screen reader hears, and the caption
    figure: Figure
    rows: list = field(default_factory=list)  # (label, value) pairs, also shown as a table
    hidden: int = 0  # cells not drawn: small-cell rule

    def svg(self, chart_id: str) -> str:
        buffer = io.StringIO()
        self.figure.savefig(buffer, format="svg", bbox_inches="tight")
        svg = buffer.getvalue()
        svg = svg[svg.index("<svg") :]
        title = f'<title id="{chart_id}-title">{_escape(self.title)}</title><desc id="{chart_id}-desc">{_escape(self.description)}</desc>'
        svg = re.sub(
            r"<svg ",
            f'<svg role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" id="{chart_id}" ',
            svg,
            count=1,
        )
        svg = re.sub(r"(<svg[^>]*>)", r"\1" + title.replace("\\", "\\\\"), svg, count=1)
        return svg

    def png(self) -> bytes:
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=150, bbox_inches="tight")
        return buffer.getvalue()

    def close(self):
        plt.close(self.figure)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _hbar(title, rows, *, xlabel, color=BLUE, xmax=None, value_format="{:.0f}") -> Figure:
    labels = [label for label, _ in rows][::-1]
    values = [value for _, value in rows][::-1]
    figure, axes = plt.subplots(figsize=(7.5, max(1.6, 0.36 * len(rows) + 0.9)))
    axes.barh(labels, values, color=color)
    for y, value in enumerate(values):
        axes.text(value, y, " " + value_format.format(value).replace(".", ","), va="center", fontsize=9)
    axes.set_xlabel(xlabel)
    if xmax:
        axes.set_xlim(0, xmax)
    axes.spines[["top", "right"]].set_visible(False)
    axes.set_title(title, loc="left", fontsize=11, fontweight="bold")
    return figure


def _shown(observatory: Observatory, table: str, dimension: str, measure: str, **fixed):
    rows, hidden = [], 0
    for cell in observatory.table(table):
        if any(cell.dimensions.get(key) != value for key, value in fixed.items()):
            continue
        value = cell.values.get(measure)
        if measure in cell.hidden:
            hidden += 1
        elif value is not None:
            rows.append((observatory.label(dimension, cell.dimensions[dimension]), value))
    return rows, hidden


def _hidden_note(hidden: int, k: int) -> str:
    if not hidden:
        return ""
    plural = "s" if hidden > 1 else ""
    return f" {hidden} case{plural} masquée{plural} (secret statistique : moins de {k} commerces, ou déductible des totaux)."


def maturity_by(observatory: Observatory, dimension: str, *, table: str | None = None, top: int = 20, **fixed) -> Chart:
    """Mean overall score of the latest self-diagnostic, per value of `dimension`, highest first."""
    names = {"sector": "secteur", "area": "arrondissement ou commune", "size_band": "taille"}
    rows, hidden = _shown(observatory, table or dimension, dimension, "score_mean", **fixed)
    rows = sorted(rows, key=lambda row: -row[1])[:top]
    title = f"Maturité numérique par {names[dimension]}"
    figure = _hbar(title, rows, xlabel="Score global moyen du dernier autodiagnostic (sur 100)", xmax=100)
    description = (
        "Score moyen sur 100, du plus haut au plus bas : "
        + "; ".join(f"{label} {value:.0f}".replace(".", ",") for label, value in rows)
        + "."
        + _hidden_note(hidden, observatory.k)
    )
    return Chart(title, description, figure, rows, hidden)


def capabilities_gained(observatory: Observatory, *, table: str = "capability", top: int = 12, **fixed) -> Chart:
    rows, hidden = _shown(observatory, table, "capability", "merchants_gaining", **fixed)
    rows = [row for row in sorted(rows, key=lambda row: -row[1]) if row[1] > 0][:top]
    title = "Compétences acquises en terminant un module"
    figure = _hbar(title, rows, xlabel="Commerces ayant acquis la compétence sur la période", color=GREEN)
    description = (
        "Nombre de commerces par compétence acquise : "
        + ("; ".join(f"{label} {value}" for label, value in rows) or "aucune compétence publiable")
        + "."
        + _hidden_note(hidden, observatory.k)
    )
    return Chart(title, description, figure, rows, hidden)


def help_flow(cell_values: dict, *, k: int) -> Chart:
    steps = [
        ("Commerces ayant demandé de l'aide", cell_values.get("merchants_asking_help")),
        ("… mis en relation avec un étudiant", cell_values.get("merchants_matched")),
        ("… accompagnement terminé", cell_values.get("merchants_helped")),
        ("… ayant noté l'accompagnement", cell_values.get("merchants_rating")),
    ]
    rows = [(label, value) for label, value in steps if value is not None]
    hidden = len(steps) - len(rows)
    title = "Accompagnements : de la demande à la note"
    figure = _hbar(title, rows, xlabel="Commerces", color=ORANGE)
    extra = []
    if cell_values.get("match_days_median") is not None:
        extra.append(
            f"délai médian de mise en relation : {cell_values['match_days_median']:.0f} jours".replace(".", ",")
        )
    if cell_values.get("satisfaction_mean") is not None:
        extra.append(f"satisfaction moyenne : {cell_values['satisfaction_mean']:.1f} sur 5".replace(".", ","))
    description = "; ".join(f"{label} : {value}" for label, value in rows) or "Aucun chiffre publiable sur la période"
    description += (". " + ", ".join(extra).capitalize() + "." if extra else ".") + _hidden_note(hidden, k)
    return Chart(title, description, figure, rows, hidden)


def evolution(series: list[tuple[str, dict]]) -> Chart:
    """`series`: (French month label, total cell values) oldest first."""
    labels = [label for label, _ in series]
    active = [values.get("merchants_active") for _, values in series]
    score = [values.get("score_mean") for _, values in series]
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(7.5, 4.6), sharex=True)
    top.plot(labels, [v if v is not None else float("nan") for v in active], marker="o", color=BLUE)
    top.set_ylabel("Commerces actifs")
    top.set_title("Évolution mois par mois", loc="left", fontsize=11, fontweight="bold")
    bottom.plot(labels, [v if v is not None else float("nan") for v in score], marker="o", color=GREEN)
    bottom.set_ylabel("Score moyen (sur 100)")
    bottom.set_ylim(0, 100)
    for axes in (top, bottom):
        axes.spines[["top", "right"]].set_visible(False)
        axes.grid(axis="y", color="#dddddd")
    plt.setp(bottom.get_xticklabels(), rotation=35, ha="right")
    rows = [
        (label, f"{a if a is not None else 'masqué'} commerces actifs, score moyen {s if s is not None else 'masqué'}")
        for label, a, s in zip(labels, active, score, strict=True)
    ]
    description = "Par mois : " + "; ".join(f"{label} : {text}" for label, text in rows) + "."
    return Chart(
        "Évolution mois par mois", description.replace(".0 ", " "), figure, rows, sum(1 for a in active if a is None)
    )
