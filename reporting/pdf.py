"""The barometer as a PDF (fpdf2: pure Python, no system library), with matplotlib's DejaVu fonts (every
French character) and the same charts as the HTML report, as images."""

import logging
from pathlib import Path

import matplotlib
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from reporting.barometer import Barometer

logging.getLogger("fontTools").setLevel(logging.WARNING)  # font subsetting logs every glyph at INFO

FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
INK = (30, 30, 30)
ACCENT = (31, 95, 153)


class BarometerPDF(FPDF):
    def __init__(self, barometer: Barometer):
        super().__init__(format="A4")
        self.barometer = barometer
        self.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_title(f"{barometer.title} — {barometer.period.label}")
        self.set_author("EleaSud — observatoire de l'agence")
        self.set_lang("fr-FR")
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(18, 16, 18)

    def footer(self):
        self.set_y(-12)
        self.set_font("DejaVu", "", 8)
        self.set_text_color(*INK)
        self.cell(0, 6, f"{self.barometer.title} — {self.barometer.period.label} — page {self.page_no()}", align="C")

    def heading(self, text: str, size: int = 13):
        self.set_font("DejaVu", "B", size)
        self.set_text_color(*ACCENT)
        self.multi_cell(0, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*INK)
        self.ln(1)

    def paragraph(self, text: str, size: int = 10):
        self.set_font("DejaVu", "", size)
        self.multi_cell(0, 5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)


def render_pdf(barometer: Barometer) -> bytes:
    pdf = BarometerPDF(barometer)
    pdf.add_page()
    pdf.heading(barometer.title, size=17)
    pdf.paragraph(f"Période : {barometer.period.label}. Population : {barometer.population_label}.", size=11)
    pdf.paragraph(
        "Ce baromètre décrit les commerces qui utilisent EleaSud, jamais un commerce en particulier : aucun chiffre "
        f"calculé sur moins de {barometer.k} commerces n'est publié (« secret statistique »), et d'autres cases sont "
        "masquées avec lui pour qu'il ne se déduise pas des totaux."
    )
    pdf.heading("Chiffres clés")
    pdf.set_font("DejaVu", "", 10)
    with pdf.table(col_widths=(110, 64), text_align=("LEFT", "RIGHT"), first_row_as_headings=True) as table:
        table.row(["Indicateur", "Valeur"])
        for figure in barometer.figures:
            table.row([figure.label + (f" ({figure.hint})" if figure.hint else ""), figure.value])
    pdf.ln(4)
    for _, chart in barometer.charts:
        if pdf.get_y() > 170:
            pdf.add_page()
        pdf.heading(chart.title, size=12)
        pdf.image(chart.png(), w=pdf.epw, alt_text=chart.description)
        pdf.set_font("DejaVu", "", 8)
        pdf.multi_cell(0, 4, chart.description, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(3)
    pdf.add_page()
    if barometer.obligations:
        pdf.heading("Obligations légales")
        pdf.set_font("DejaVu", "", 9)
        with pdf.table(col_widths=(120, 54), text_align=("LEFT", "RIGHT"), first_row_as_headings=True) as table:
            table.row(["Alerte de l'autodiagnostic", "Part des commerces diagnostiqués"])
            for title, share in barometer.obligations:
                table.row([title, share])
        pdf.ln(4)
    pdf.heading("Par secteur")
    pdf.set_font("DejaVu", "", 8)
    headings = ["Secteur", "Actifs", "Score", *[label for _, label in barometer.bands], "Modules terminés"]
    widths = (44, 16, 16, *([18] * len(barometer.bands)), 24)
    with pdf.table(col_widths=widths[: len(headings)], first_row_as_headings=True) as table:
        table.row(headings)
        for row in barometer.sector_rows:
            table.row([row["label"], row["active"], row["score"], *row["bands"], row["completed"]])
    pdf.ln(4)
    pdf.heading("Méthode")
    pdf.paragraph(
        "Population : les commerces actifs sur la période (un usage d'un module, un autodiagnostic ou une demande "
        "d'accompagnement datés de la période), y compris les enregistrements anonymisés des comptes effacés. "
        "Scores : le dernier autodiagnostic de chaque commerce avant la fin de la période. Territoire : "
        "l'arrondissement de Marseille ou la commune de la métropole, d'après le code postal (table officielle de "
        "La Poste). Les données détaillées et leur dictionnaire sont disponibles en données ouvertes (CSV et JSON)."
    )
    return bytes(pdf.output())
