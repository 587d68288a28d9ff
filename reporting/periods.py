"""The periods the observatory publishes: whole calendar months, quarters and years (never an arbitrary
range, whose difference with a neighbouring range would isolate a few days' merchants). Pure Python."""

import re
from dataclasses import dataclass
from datetime import date

MONTHS = [
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
]  # fmt: skip


@dataclass(frozen=True, order=True)
class Period:
    start: date  # first day
    end: date  # first day after the period
    key: str  # "2026-11", "2026-T4", "2026"
    kind: str  # "month", "quarter", "year"

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{MONTHS[self.start.month - 1]} {self.start.year}"
        if self.kind == "quarter":
            quarter = (self.start.month - 1) // 3 + 1
            return f"{'1er' if quarter == 1 else f'{quarter}e'} trimestre {self.start.year}"
        return f"année {self.start.year}"


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month(year: int, month_number: int) -> Period:
    start = date(year, month_number, 1)
    return Period(start, _add_months(start, 1), f"{year}-{month_number:02d}", "month")


def quarter(year: int, number: int) -> Period:
    start = date(year, 3 * (number - 1) + 1, 1)
    return Period(start, _add_months(start, 3), f"{year}-T{number}", "quarter")


def year(number: int) -> Period:
    return Period(date(number, 1, 1), date(number + 1, 1, 1), str(number), "year")


PATTERN = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<month>\d{2})|T(?P<quarter>[1-4])))?$")


def parse_period(text: str) -> Period:
    """ "2026-11" (a month), "2026-T4" (a quarter) or "2026" (a year); ValueError with a French message."""
    match = PATTERN.match((text or "").strip())
    if not match or not 2000 <= int(match["year"]) <= 2100:
        raise ValueError(
            "Période invalide : « AAAA-MM » (un mois), « AAAA-T1 » à « AAAA-T4 » (un trimestre) ou « AAAA » (une année)."
        )
    number = int(match["year"])
    if match["month"]:
        if not 1 <= int(match["month"]) <= 12:
            raise ValueError("Mois invalide : de 01 à 12.")
        return month(number, int(match["month"]))
    if match["quarter"]:
        return quarter(number, int(match["quarter"]))
    return year(number)


def months_up_to(last: Period, count: int) -> list[Period]:
    """The `count` months ending with the month that contains `last.end` − 1 day, oldest first."""
    final = _add_months(last.end, -1)
    return [month(d.year, d.month) for d in (_add_months(final, -i) for i in range(count - 1, -1, -1))]
