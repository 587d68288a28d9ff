"""The mission certificate ("attestation de mission") a school referent downloads for a student: the merchant's
trade and arrondissement (never the merchant's name), dates, hours, what was done session by session, and the
merchant's rating. Built with fpdf2 (pure Python, no system library) and its built-in Helvetica in
Windows-1252, which covers French typography (é, œ, ’, « ») without shipping a font file."""

from django.utils import timezone
from django.utils.formats import date_format
from fpdf import FPDF

from missions.models import Appointment, Mission
from missions.selectors import hours_of
from missions.services import MissionError

ENCODING = "windows-1252"


def _text(value: str) -> str:
    """What Helvetica can print: anything outside Windows-1252 (an emoji in a report) becomes "?"."""
    return value.encode(ENCODING, errors="replace").decode(ENCODING)


def _day(value) -> str:
    return date_format(timezone.localtime(value), "j F Y") if value else "—"


def _hours(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


def certificate_lines(*, mission: Mission) -> dict:
    """The certificate's content as plain data (what the PDF prints, in order)."""
    if mission.status != Mission.Status.DONE or mission.student is None:
        raise MissionError(
            "L'attestation est disponible une fois la mission terminée.",
            {"status": [f"La mission est « {mission.get_status_display()} »."]},
        )
    student = mission.student
    hours = hours_of(mission)
    sessions = [
        a
        for a in mission.appointments.all()
        if a.reported_at and a.status in (Appointment.Status.SCHEDULED, Appointment.Status.HELD)
    ]
    first = sessions[0].starts_at if sessions else mission.matched_at
    validated = (
        f"Heures validées par {mission.hours_validated_by.display_name} le {_day(mission.hours_validated_at)}."
        if mission.hours_validated_at and mission.hours_validated_by
        else "Heures en attente de validation par le référent de l'établissement."
    )
    return {
        "title": "Attestation de mission",
        "intro": (
            f"EleaSud atteste que {student.full_name}, de l'établissement {student.school.name}, a mené une "
            "mission d'accompagnement numérique auprès d'un commerce marseillais."
        ),
        "facts": [
            ("Commerce", mission.trade_label or "Activité non précisée"),
            ("Lieu", mission.arrondissement or "Non précisé"),
            ("Thème", mission.theme.name + (f" — module « {mission.module.title} »" if mission.module else "")),
            ("Dates", f"du {_day(first)} au {_day(mission.done_at)}"),
            (
                "Heures",
                f"{_hours(hours.reported_minutes)} déclarées, dont {_hours(hours.confirmed_minutes)} "
                "confirmées par le commerçant",
            ),
            ("Appréciation du commerçant", f"{mission.satisfaction}/5" if mission.satisfaction else "Non notée"),
        ],
        "sessions": [
            (
                f"{_day(a.starts_at)} · {_hours(a.report_minutes or 0)} · {a.get_mode_display()}",
                a.report_done,
                a.report_next_step,
            )
            for a in sessions
        ],
        "validation": validated,
        "signature": f"Fait à Marseille, le {_day(timezone.now())}. Attestation n° {mission.pk}.",
    }


def certificate_pdf(*, mission: Mission) -> bytes:
    content = certificate_lines(mission=mission)
    pdf = FPDF(format="A4")
    pdf.core_fonts_encoding = ENCODING
    pdf.set_title(_text(f"{content['title']} n° {mission.pk}"))
    pdf.set_author("EleaSud")
    pdf.set_lang("fr")
    pdf.set_margins(20, 20, 20)
    pdf.add_page()
    width = pdf.epw
    pdf.set_font("Helvetica", "B", 20)
    pdf.multi_cell(width, 12, _text(content["title"]), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(width, 6, _text(content["intro"]), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for label, value in content["facts"]:
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(60, 7, _text(label))
        pdf.set_font("Helvetica", "", 11)
        pdf.multi_cell(width - 60, 7, _text(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 13)
    pdf.multi_cell(width, 8, _text("Ce qui a été mis en place"), new_x="LMARGIN", new_y="NEXT")
    for heading, done, next_step in content["sessions"]:
        pdf.set_font("Helvetica", "B", 11)
        pdf.multi_cell(width, 6, _text(heading), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 11)
        pdf.multi_cell(width, 6, _text(done), new_x="LMARGIN", new_y="NEXT")
        if next_step:
            pdf.multi_cell(width, 6, _text(f"Prochaine étape : {next_step}"), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    pdf.ln(4)
    pdf.set_font("Helvetica", "I", 11)
    pdf.multi_cell(width, 6, _text(content["validation"]), new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(width, 6, _text(content["signature"]), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
