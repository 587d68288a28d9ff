"""Rules about time-sensitive facts, shared by the loader (`load_content --check`), the admin report
« À revérifier » and the content tests: what counts as a dated or legal claim, when a check is due,
what is a home page rather than the page that states a rule. Pure Python (no Django)."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

RECHECK_AFTER_MONTHS = 6
EN_BREF_LINES = 3
EN_BREF_MAX_LENGTH = 140

_MONTHS = "janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre"
# « 1er septembre 2026 », « 19 juin 2026 » — a source year alone (« Baromètre 2025 ») is not a dated claim.
CALENDAR_DATE = re.compile(rf"\b(?:1er|\d{{1,2}})\s+(?:{_MONTHS})\s+(?:19|20)\d\d\b", re.IGNORECASE)
# « article L. 441-9 », « art. 286 du CGI », « article 1649 quater B »
LEGAL_REFERENCE = re.compile(r"\b(?:article|art\.)\s+(?:[LRD]\.?\s?)?\d", re.IGNORECASE)
# The répertoire des métiers was abolished on 1 January 2023 (replaced by the registre national des entreprises).
ABOLISHED_REGISTER = re.compile(r"r[ée]pertoire des m[ée]tiers|\bRM\b|extrait\s+D1\b")
_TAGS = re.compile(r"<[^>]+>")


def plain(text: str) -> str:
    """Rich text without its tags (links' targets are not prose)."""
    return _TAGS.sub(" ", text or "")


def dated_claims_in(text: str) -> list[str]:
    """The calendar dates and legal references a piece of (rich) text states."""
    prose = plain(text)
    return [m.group(0) for m in CALENDAR_DATE.finditer(prose)] + [m.group(0) for m in LEGAL_REFERENCE.finditer(prose)]


def mentions_abolished_register(text: str) -> bool:
    return bool(ABOLISHED_REGISTER.search(plain(text)))


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (clamped to the month's last day)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def recheck_threshold(today: date) -> date:
    """A source checked before this date is due for a new check."""
    return months_before(today, RECHECK_AFTER_MONTHS)


def is_due(checked_on: date | None, today: date) -> bool:
    return checked_on is None or checked_on < recheck_threshold(today)


# Sites whose home page *is* the service a module sends merchants to (a reporting line, a public directory,
# a chamber of commerce, a tool's sign-in): acceptable as a "where to get help" resource, never as the
# source of a dated or legal claim.
SERVICE_SITES = frozenset(
    {
        "17cyber.gouv.fr",
        "annuaire-entreprises.data.gouv.fr",
        "coopcycle.org",
        "infocert.org",
        "merchants.google.com",
        "www.33700.fr",
        "www.bingplaces.com",
        "www.brevo.com",
        "www.cciamp.com",
        "www.cmar-paca.fr",
        "www.lne.fr",
        "www.moncompteformation.gouv.fr",
        "www.pagesjaunes.fr",
        "www.signal-spam.fr",
    }
)


def is_acceptable_resource(url: str) -> bool:
    """A help resource is a deep link, or the home page of a single-service site listed above."""
    return not is_home_page(url) or urlsplit(url or "").hostname in SERVICE_SITES


def is_home_page(url: str) -> bool:
    """True for a site's home page or a bare language prefix (https://www.cnil.fr/fr/): not a deep link."""
    path = urlsplit(url or "").path.strip("/")
    return path == "" or re.fullmatch(r"[a-z]{2}(?:-[a-z]{2})?", path) is not None
