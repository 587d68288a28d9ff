"""Turns the files in content_fixtures/ into snippets and published pages.

Three promises, each tested:
- idempotent: a second run changes nothing; an edited module file becomes a new revision of its page;
- respectful: what editors created or changed in the admin is never deleted or overwritten
  (a module edited in the admin after its last load is reported and left alone unless asked);
- transactional: every file is parsed and checked before anything is written, and a malformed file
  stops the run with a message naming the file and the field, with nothing written.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from html.parser import HTMLParser
from pathlib import Path

import yaml
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from cms import freshness
from cms.models import (
    Capability,
    CostBand,
    DiagnosticAnswer,
    DiagnosticQuestion,
    DiagnosticQuestionnaire,
    Goal,
    HomePage,
    Level,
    MaturityBand,
    ModulePage,
    ModuleRelation,
    ModuleSource,
    Sector,
    Theme,
    ThemePage,
)

REQUIRED_MODULE_KEYS = {
    "slug",
    "title",
    "theme",
    "summary",
    "level",
    "cost_band",
    "estimated_minutes",
    "goals",
    "capabilities_built",
    "en_bref",
    "body",
}
MODULE_KEYS = REQUIRED_MODULE_KEYS | {
    "sectors",
    "capabilities_required",
    "related",
    "checked_on",
    "boost",
    "sources",
    "student_help",
}
SOURCE_KEYS = {"key", "title", "url", "checked_on"}
# Every module of the catalogue is a digital step a partner school's student can help a merchant set up, so a
# module offers that help unless its file says `student_help: false`.
STUDENT_HELP_DEFAULT = True
RICH_TEXT_TAGS = {"p", "ul", "ol", "li", "strong", "em", "b", "i", "a", "br"}
TAXONOMY_KINDS = {"themes": Theme, "sectors": Sector, "goals": Goal, "capabilities": Capability, "levels": Level}
MIN_STEPS = 3
SOURCE_KEY = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


class ContentError(Exception):
    """One or more problems in the fixture files; nothing was written."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "what — why"
    warnings: list[str] = field(default_factory=list)  # e.g. sources due for a new check

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


# --- Parsing and validation (no database writes) -----------------------------------------------


class _Problems:
    """Errors stop the run; warnings are printed and the run goes on."""

    def __init__(self, today: date | None = None):
        self.items: list[str] = []
        self.warnings: list[str] = []
        self.today = today or timezone.localdate()

    def add(self, path: Path, field_name: str, message: str):
        self.items.append(f"{path}: field '{field_name}': {message}")

    def warn(self, path: Path, field_name: str, message: str):
        self.warnings.append(f"{path}: field '{field_name}': {message}")


class _RichTextChecker(HTMLParser):
    def __init__(self):
        super().__init__()
        self.bad_tags: set[str] = set()
        self.bad_attributes: set[str] = set()
        self.bad_links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in RICH_TEXT_TAGS:
            self.bad_tags.add(tag)
        # Only a link's target survives: no event handlers, styles or classes reach API clients.
        for name, _ in attrs:
            if not (tag == "a" and name == "href"):
                self.bad_attributes.add(f"{tag} {name}")
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if not href.startswith(("https://", "http://", "mailto:", "tel:")):
                self.bad_links.append(href)


def _check_rich_text(value, path: Path, field_name: str, problems: _Problems) -> None:
    if not isinstance(value, str) or not value.strip():
        problems.add(path, field_name, "expected non-empty HTML text")
        return
    checker = _RichTextChecker()
    checker.feed(value)
    if checker.bad_tags:
        problems.add(
            path, field_name, f"tags not allowed: {sorted(checker.bad_tags)} (allowed: {sorted(RICH_TEXT_TAGS)})"
        )
    if checker.bad_attributes:
        problems.add(path, field_name, f"attributes not allowed: {sorted(checker.bad_attributes)} (only a href)")
    for href in checker.bad_links:
        problems.add(path, field_name, f"link {href!r} must be an absolute http(s), mailto: or tel: address")


def _check_url(value, path: Path, field_name: str, problems: _Problems, *, deep: str = "") -> None:
    """`deep`: "source" (always a deep link) or "resource" (a deep link or a listed single-service site)."""
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        problems.add(path, field_name, f"not a valid http(s) address: {value!r}")
        return
    if (deep == "source" and freshness.is_home_page(value)) or (
        deep == "resource" and not freshness.is_acceptable_resource(value)
    ):
        problems.add(path, field_name, f"{value!r} is a home page: link the page that states the fact")


def _check_text(value, path, field_name, problems, *, max_length: int, required: bool = True) -> None:
    if value is None or value == "":
        if required:
            problems.add(path, field_name, "is required")
        return
    if not isinstance(value, str):
        problems.add(path, field_name, f"expected text, got {type(value).__name__}")
    elif len(value) > max_length:
        problems.add(path, field_name, f"is {len(value)} characters long; at most {max_length}")


def _body_to_stream_data(body, path: Path, problems: _Problems, source_keys: set[str]) -> list[dict]:
    """The file's block list → StreamField raw data, checking every block's shape."""
    if not isinstance(body, list) or not body:
        problems.add(path, "body", "expected a non-empty list of blocks")
        return []
    stream = []
    for index, block in enumerate(body):
        where = f"body[{index}]"
        if not isinstance(block, dict) or len(block) != 1:
            problems.add(path, where, "each block must be a mapping with exactly one key (its type)")
            continue
        ((kind, value),) = block.items()
        where = f"{where}.{kind}"
        if kind in ("text", "tip", "warning"):
            _check_rich_text(value, path, where, problems)
        elif kind == "step":
            if not isinstance(value, dict) or set(value) - {"title", "text"}:
                problems.add(path, where, "expected {title, text}")
                continue
            _check_text(value.get("title"), path, f"{where}.title", problems, max_length=120)
            _check_rich_text(value.get("text"), path, f"{where}.text", problems)
        elif kind == "checklist":
            if not isinstance(value, dict) or set(value) - {"title", "items"}:
                problems.add(path, where, "expected {title, items}")
                continue
            _check_text(value.get("title"), path, f"{where}.title", problems, max_length=120)
            items = value.get("items")
            if not isinstance(items, list) or not items:
                problems.add(path, f"{where}.items", "expected a non-empty list")
                continue
            for i, item in enumerate(items):
                _check_text(item, path, f"{where}.items[{i}]", problems, max_length=250)
        elif kind == "resource":
            if not isinstance(value, dict) or set(value) - {"title", "url", "description"}:
                problems.add(path, where, "expected {title, url, description}")
                continue
            _check_text(value.get("title"), path, f"{where}.title", problems, max_length=160)
            _check_url(value.get("url"), path, f"{where}.url", problems, deep="resource")
            value = {"description": "", **value}
        elif kind == "fact":
            if not isinstance(value, dict) or set(value) - {"text", "sources"}:
                problems.add(path, where, "expected {text, sources}")
                continue
            _check_rich_text(value.get("text"), path, f"{where}.text", problems)
            cited = value.get("sources")
            if not isinstance(cited, list) or not cited or not all(isinstance(k, str) for k in cited):
                problems.add(path, f"{where}.sources", "a dated or legal claim needs at least one source key")
                cited = []
            unknown = [k for k in cited if k not in source_keys]
            if unknown:
                problems.add(
                    path,
                    f"{where}.sources",
                    f"unknown source key(s) {unknown} (the module's sources: {sorted(source_keys) or 'none'})",
                )
            value = {"text": value.get("text"), "sources": list(cited)}
        elif kind == "example":
            _check_rich_text(value, path, where, problems)
        elif kind == "testimonial":
            problems.add(
                path,
                where,
                "invented testimonials are not published: write an illustrative `example` block (no names)",
            )
            continue
        elif kind == "video":
            if not isinstance(value, dict) or set(value) - {"url", "caption"}:
                problems.add(path, where, "expected {url, caption}")
                continue
            _check_url(value.get("url"), path, f"{where}.url", problems)
            value = {"caption": "", **value}
        else:
            problems.add(
                path,
                where,
                "unknown block type (known: text, step, checklist, tip, warning, fact, example, resource, video)",
            )
            continue
        stream.append({"type": kind, "value": value})
    for index, block in enumerate(stream):
        if block["type"] == "fact":
            continue
        claims = freshness.dated_claims_in(json.dumps(block["value"], ensure_ascii=False))
        if claims:
            problems.add(
                path,
                f"body[{index}].{block['type']}",
                f"states {claims[0]!r} outside a `fact` block: a dated or legal claim must cite its source",
            )
    steps = sum(1 for block in stream if block["type"] == "step")
    if steps < MIN_STEPS:
        problems.add(path, "body", f"has {steps} step block(s); a module needs at least {MIN_STEPS}")
    return stream


def _as_datetime(value, path, field_name, problems) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    if isinstance(value, date):
        return timezone.make_aware(datetime.combine(value, time.min))
    problems.add(path, field_name, f"expected a date (YYYY-MM-DD), got {value!r}")
    return None


def _parse_en_bref(value, path: Path, problems: _Problems) -> list[str]:
    lines = freshness.EN_BREF_LINES
    if not isinstance(value, list) or len(value) != lines:
        problems.add(path, "en_bref", f"expected a list of exactly {lines} short lines, got {value!r}")
        return []
    for i, line in enumerate(value):
        _check_text(line, path, f"en_bref[{i}]", problems, max_length=freshness.EN_BREF_MAX_LENGTH)
    return [line for line in value if isinstance(line, str)]


def _parse_sources(value, path: Path, problems: _Problems) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, list):
        problems.add(path, "sources", "expected a list of {key, title, url, checked_on}")
        return []
    sources, keys = [], set()
    threshold = freshness.recheck_threshold(problems.today)
    for i, source in enumerate(value):
        where = f"sources[{i}]"
        if not isinstance(source, dict):
            problems.add(path, where, "expected {key, title, url, checked_on}")
            continue
        for key in sorted(set(source) - SOURCE_KEYS):
            problems.add(path, f"{where}.{key}", f"unknown field (known: {', '.join(sorted(SOURCE_KEYS))})")
        key = source.get("key")
        if not isinstance(key, str) or not SOURCE_KEY.fullmatch(key):
            problems.add(path, f"{where}.key", f"expected a short id (a-z, 0-9, hyphens), got {key!r}")
            continue
        if key in keys:
            problems.add(path, f"{where}.key", f"duplicate source key {key!r}")
        keys.add(key)
        _check_text(source.get("title"), path, f"{where}.title", problems, max_length=200)
        _check_url(source.get("url"), path, f"{where}.url", problems, deep="source")
        checked_on = source.get("checked_on")
        if checked_on is None:
            problems.add(path, f"{where}.checked_on", f"source {key!r} has no check date (the day you read the page)")
            continue
        if not isinstance(checked_on, date) or isinstance(checked_on, datetime):
            problems.add(path, f"{where}.checked_on", f"expected a date (YYYY-MM-DD), got {checked_on!r}")
            continue
        if checked_on > problems.today:
            problems.add(path, f"{where}.checked_on", f"{checked_on} is in the future")
            continue
        if checked_on < threshold:
            problems.warn(
                path,
                f"{where}.checked_on",
                f"source {key!r} was checked on {checked_on}, more than {freshness.RECHECK_AFTER_MONTHS} months ago: "
                "re-read the page and update the date",
            )
        sources.append({"key": key, "title": source.get("title"), "url": source.get("url"), "checked_on": checked_on})
    return sources


@dataclass
class ModuleSpec:
    path: Path
    slug: str
    title: str
    theme: str
    summary: str
    level: str
    cost_band: str
    estimated_minutes: int
    sectors: list[str]
    goals: list[str]
    capabilities_required: list[str]
    capabilities_built: list[str]
    related: list[str]
    checked_on: date | None
    en_bref: list[str]
    sources: list[dict]
    boost_weight: float
    boost_starts_at: datetime | None
    boost_ends_at: datetime | None
    student_help: bool
    body: list[dict]
    fingerprint: str


def _read_yaml(path: Path, problems: _Problems):
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "file"
        problems.add(path, where, f"invalid YAML: {getattr(error, 'problem', error)}")
    except UnicodeDecodeError:
        problems.add(path, "file", "not UTF-8 text")
    return None


def _slug_list(data: dict, key: str, known: set[str], kind: str, path, problems, *, required=False) -> list[str]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.add(path, key, "expected a list of slugs")
        return []
    if required and not value:
        problems.add(path, key, "needs at least one slug")
    for slug in value:
        if slug not in known:
            accepted = f"known: {', '.join(sorted(known))}" if len(known) <= 30 else "no file or page has it"
            problems.add(path, key, f"unknown {kind} slug {slug!r} ({accepted})")
    return list(dict.fromkeys(value))


def _fingerprint(data) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str, ensure_ascii=False).encode()).hexdigest()


def parse_module(path: Path, data, vocab: dict[str, set[str]], module_slugs: set[str], problems: _Problems):
    if not isinstance(data, dict):
        problems.add(path, "file", "expected a mapping of module fields")
        return None
    for key in sorted(set(data) - MODULE_KEYS):
        problems.add(path, key, f"unknown field (known: {', '.join(sorted(MODULE_KEYS))})")
    for key in sorted(REQUIRED_MODULE_KEYS - set(data)):
        problems.add(path, key, "is required")
    slug = data.get("slug")
    if slug != path.stem:
        problems.add(path, "slug", f"{slug!r} must equal the file name {path.stem!r}")
    _check_text(data.get("title"), path, "title", problems, max_length=255)
    _check_text(data.get("summary"), path, "summary", problems, max_length=300)
    for key, kind in (("theme", "themes"), ("level", "levels")):
        if key in data and data[key] not in vocab[kind]:
            problems.add(path, key, f"unknown {key} {data[key]!r} (known: {', '.join(sorted(vocab[kind]))})")
    if "cost_band" in data and data["cost_band"] not in CostBand.values:
        problems.add(
            path, "cost_band", f"unknown cost band {data['cost_band']!r} (known: {', '.join(CostBand.values)})"
        )
    minutes = data.get("estimated_minutes")
    if "estimated_minutes" in data and (not isinstance(minutes, int) or not 5 <= minutes <= 600):
        problems.add(path, "estimated_minutes", f"expected a whole number of minutes from 5 to 600, got {minutes!r}")
    sectors = _slug_list(data, "sectors", vocab["sectors"], "sector", path, problems)
    goals = _slug_list(data, "goals", vocab["goals"], "goal", path, problems, required=True)
    required = _slug_list(data, "capabilities_required", vocab["capabilities"], "capability", path, problems)
    built = _slug_list(data, "capabilities_built", vocab["capabilities"], "capability", path, problems, required=True)
    related = _slug_list(data, "related", module_slugs, "module", path, problems)
    if slug in related:
        problems.add(path, "related", "a module cannot be related to itself")
    checked_on = data.get("checked_on")
    if checked_on is not None and not isinstance(checked_on, date):
        problems.add(path, "checked_on", f"expected a date (YYYY-MM-DD), got {checked_on!r}")
    elif checked_on is not None:
        problems.warn(
            path, "checked_on", "a module-level date is no longer used: date each source (sources[].checked_on)"
        )
    en_bref = _parse_en_bref(data.get("en_bref"), path, problems)
    sources = _parse_sources(data.get("sources"), path, problems)
    if sources:
        checked_on = min(source["checked_on"] for source in sources)
    boost = data.get("boost") or {}
    if not isinstance(boost, dict) or set(boost) - {"weight", "starts", "ends"}:
        problems.add(path, "boost", "expected {weight, starts, ends}")
        boost = {}
    weight = boost.get("weight", 0.0)
    if not isinstance(weight, int | float) or not 0 <= weight <= 1:
        problems.add(path, "boost.weight", f"expected a number from 0 to 1, got {weight!r}")
        weight = 0.0
    starts = _as_datetime(boost.get("starts"), path, "boost.starts", problems)
    ends = _as_datetime(boost.get("ends"), path, "boost.ends", problems)
    if starts and ends and ends < starts:
        problems.add(path, "boost.ends", "must not be before boost.starts")
    student_help = data.get("student_help", STUDENT_HELP_DEFAULT)
    if not isinstance(student_help, bool):
        problems.add(path, "student_help", f"expected true or false, got {student_help!r}")
        student_help = STUDENT_HELP_DEFAULT
    body = _body_to_stream_data(data.get("body"), path, problems, {source["key"] for source in sources})
    sourced = any(block["type"] == "fact" and block["value"]["sources"] for block in body)
    for where, text in [("summary", data.get("summary"))] + [(f"en_bref[{i}]", line) for i, line in enumerate(en_bref)]:
        claims = freshness.dated_claims_in(text or "")
        if claims and not sourced:
            problems.add(path, where, f"states {claims[0]!r} but no `fact` block of the module cites a source")
    everything = json.dumps([data.get("title"), data.get("summary"), en_bref, body], ensure_ascii=False)
    if freshness.mentions_abolished_register(everything):
        problems.add(
            path,
            "body",
            "mentions the répertoire des métiers (RM), abolished on 1 January 2023: "
            "name the registre national des entreprises (RNE)",
        )
    return ModuleSpec(
        path=path,
        slug=slug,
        title=data.get("title"),
        theme=data.get("theme"),
        summary=data.get("summary"),
        level=data.get("level"),
        cost_band=data.get("cost_band"),
        estimated_minutes=minutes,
        sectors=sectors,
        goals=goals,
        capabilities_required=required,
        capabilities_built=built,
        related=related,
        checked_on=checked_on,
        en_bref=en_bref,
        sources=sources,
        boost_weight=float(weight),
        boost_starts_at=starts,
        boost_ends_at=ends,
        student_help=student_help,
        body=body,
        fingerprint=_fingerprint(data),
    )


def _parse_taxonomy(path: Path, problems: _Problems) -> dict[str, list[dict]]:
    data = _read_yaml(path, problems)
    if data is None:
        return {}
    if not isinstance(data, dict):
        problems.add(path, "file", "expected a mapping of taxonomy kinds")
        return {}
    for kind in sorted(set(data) - set(TAXONOMY_KINDS)):
        problems.add(path, kind, f"unknown taxonomy kind (known: {', '.join(TAXONOMY_KINDS)})")
    parsed = {}
    for kind in TAXONOMY_KINDS:
        entries = data.get(kind) or []
        seen = set()
        for i, entry in enumerate(entries):
            where = f"{kind}[{i}]"
            if not isinstance(entry, dict) or not entry.get("slug") or not entry.get("name"):
                problems.add(path, where, "each entry needs a slug and a name")
                continue
            if entry["slug"] in seen:
                problems.add(path, f"{where}.slug", f"duplicate slug {entry['slug']!r}")
            seen.add(entry["slug"])
        parsed[kind] = [e for e in entries if isinstance(e, dict)]
    theme_slugs = {e["slug"] for e in parsed.get("themes", [])} | set(Theme.objects.values_list("slug", flat=True))
    for i, entry in enumerate(parsed.get("capabilities", [])):
        if entry.get("theme") and entry["theme"] not in theme_slugs:
            problems.add(path, f"capabilities[{i}].theme", f"unknown theme {entry['theme']!r}")
    return parsed


@dataclass
class Catalogue:
    taxonomy: dict[str, list[dict]]
    modules: list[ModuleSpec]
    diagnostic: dict | None
    diagnostic_path: Path | None
    warnings: list[str] = field(default_factory=list)


def read_catalogue(root: Path, *, today: date | None = None) -> Catalogue:
    """Parse and check every file under `root`; raise ContentError listing every problem.

    `today` (default: the local date) decides which source checks are older than the recheck period.
    """
    problems = _Problems(today)
    root = Path(root)
    if not root.is_dir():
        raise ContentError([f"{root}: folder not found"])
    taxonomy = _parse_taxonomy(root / "taxonomy.yaml", problems) if (root / "taxonomy.yaml").exists() else {}
    vocab = {
        kind: {e["slug"] for e in taxonomy.get(kind, []) if "slug" in e}
        | set(model.objects.values_list("slug", flat=True))
        for kind, model in TAXONOMY_KINDS.items()
    }
    module_files = sorted((root / "modules").glob("*/*.yaml"))
    raw = [(path, _read_yaml(path, problems)) for path in module_files]
    module_slugs = {path.stem for path in module_files} | set(ModulePage.objects.values_list("slug", flat=True))
    modules = [
        m for path, data in raw if data is not None and (m := parse_module(path, data, vocab, module_slugs, problems))
    ]
    seen: dict[str, Path] = {}
    for module in modules:
        if module.slug in seen:
            problems.add(module.path, "slug", f"{module.slug!r} is already used by {seen[module.slug]}")
        seen[module.slug] = module.path
        if module.path.parent.name != module.theme:
            problems.add(module.path, "theme", f"{module.theme!r} must match its folder {module.path.parent.name!r}")

    diagnostic_path = root / "diagnostic.yaml"
    diagnostic = None
    if diagnostic_path.exists():
        diagnostic = _read_yaml(diagnostic_path, problems)
        if diagnostic is not None:
            _check_diagnostic(diagnostic_path, diagnostic, vocab, problems)
    if problems.items:
        raise ContentError(problems.items)
    return Catalogue(
        taxonomy=taxonomy,
        modules=modules,
        diagnostic=diagnostic,
        diagnostic_path=diagnostic_path,
        warnings=problems.warnings,
    )


def _check_diagnostic(path: Path, data, vocab, problems: _Problems) -> None:
    if not isinstance(data, dict):
        problems.add(path, "file", "expected a mapping")
        return
    known = {"slug", "title", "intro", "bands", "questions", "conflicts", "warning_rules"}
    for key in sorted(set(data) - known):
        problems.add(path, key, f"unknown field (known: {', '.join(sorted(known))})")
    for key in ("slug", "title"):
        if not data.get(key):
            problems.add(path, key, "is required")
    bands = data.get("bands") or []
    if not bands:
        problems.add(path, "bands", "needs at least one maturity band")
    mins = []
    for i, band in enumerate(bands):
        if not isinstance(band, dict) or not band.get("slug") or not band.get("label"):
            problems.add(path, f"bands[{i}]", "needs a slug and a label")
            continue
        if not isinstance(band.get("min"), int) or not 0 <= band["min"] <= 100:
            problems.add(path, f"bands[{i}].min", "expected a whole number from 0 to 100")
        else:
            mins.append(band["min"])
    if mins and (mins != sorted(mins) or mins[0] != 0):
        problems.add(path, "bands", "bands must be in ascending order of min, the first starting at 0")
    questions = data.get("questions") or []
    if not questions:
        problems.add(path, "questions", "needs at least one question")
    question_slugs = set()
    known_answers: set[str] = set()
    for i, question in enumerate(questions):
        where = f"questions[{i}]"
        if not isinstance(question, dict):
            problems.add(path, where, "expected a mapping")
            continue
        for key in sorted(
            set(question) - {"slug", "theme", "text", "help", "kind", "answers", "scored", "excluded_sectors"}
        ):
            problems.add(path, f"{where}.{key}", "unknown field")
        if not isinstance(question.get("scored", True), bool):
            problems.add(path, f"{where}.scored", "expected true or false")
        _slug_list(question, "excluded_sectors", vocab["sectors"], "sector", path, problems)
        if not question.get("slug") or question["slug"] in question_slugs:
            problems.add(path, f"{where}.slug", "missing or duplicate slug")
        question_slugs.add(question.get("slug"))
        if question.get("theme") not in vocab["themes"]:
            problems.add(path, f"{where}.theme", f"unknown theme {question.get('theme')!r}")
        _check_text(question.get("text"), path, f"{where}.text", problems, max_length=300)
        if question.get("kind", "single") not in DiagnosticQuestion.Kind.values:
            problems.add(path, f"{where}.kind", "expected single or multiple")
        answers = question.get("answers") or []
        if len(answers) < 2:
            problems.add(path, f"{where}.answers", "needs at least two answers")
        answer_slugs = set()
        for j, answer in enumerate(answers):
            awhere = f"{where}.answers[{j}]"
            if not isinstance(answer, dict) or not answer.get("slug") or not answer.get("label"):
                problems.add(path, awhere, "needs a slug and a label")
                continue
            if answer["slug"] in answer_slugs:
                problems.add(path, f"{awhere}.slug", f"duplicate answer slug {answer['slug']!r}")
            answer_slugs.add(answer["slug"])
            if not isinstance(answer.get("score"), int) or not 0 <= answer["score"] <= 100:
                problems.add(path, f"{awhere}.score", "expected a whole number from 0 to 100")
            if not isinstance(answer.get("exclusive", False), bool):
                problems.add(path, f"{awhere}.exclusive", "expected true or false")
            _slug_list(answer, "capabilities", vocab["capabilities"], "capability", path, problems)
            known_answers.add(f"{question.get('slug')}.{answer['slug']}")
    _check_diagnostic_rules(path, data, known_answers, problems)


def _check_diagnostic_rules(path: Path, data: dict, known_answers: set[str], problems: _Problems) -> None:
    """Conflicts and warning rules name answers as "question.answer": every one must exist."""

    def answer_refs(value, where):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problems.add(path, where, 'expected a list of "question.answer"')
            return
        for ref in value:
            if ref not in known_answers:
                problems.add(path, where, f"unknown answer {ref!r} (expected question.answer)")

    for i, conflict in enumerate(data.get("conflicts") or []):
        where = f"conflicts[{i}]"
        if not isinstance(conflict, dict) or set(conflict) != {"answers", "message"}:
            problems.add(path, where, "expected {answers, message}")
            continue
        answer_refs(conflict["answers"], f"{where}.answers")
        if len(conflict["answers"]) != 2:
            problems.add(path, f"{where}.answers", "a conflict is between exactly two answers")
        _check_text(conflict["message"], path, f"{where}.message", problems, max_length=300)
    rule_keys = {"slug", "title", "message", "module", "when_all", "when_any", "unless_any"}
    for i, rule in enumerate(data.get("warning_rules") or []):
        where = f"warning_rules[{i}]"
        if not isinstance(rule, dict) or set(rule) - rule_keys:
            problems.add(path, where, f"expected a mapping of {sorted(rule_keys)}")
            continue
        for key in ("slug", "title", "message"):
            _check_text(rule.get(key), path, f"{where}.{key}", problems, max_length=500)
        for key in ("when_all", "when_any", "unless_any"):
            if key in rule:
                answer_refs(rule[key], f"{where}.{key}")
        if not rule.get("when_all") and not rule.get("when_any"):
            problems.add(path, where, "needs when_all or when_any")


# --- Writing --------------------------------------------------------------------------------------


def _ensure_taxonomy(taxonomy: dict[str, list[dict]], report: LoadReport) -> None:
    themes = {}
    for kind in ("themes", "sectors", "goals", "levels", "capabilities"):
        model = TAXONOMY_KINDS[kind]
        for order, entry in enumerate(taxonomy.get(kind, [])):
            if model.objects.filter(slug=entry["slug"]).exists():
                report.unchanged.append(f"{kind}:{entry['slug']}")
                continue  # editors own a term once it exists
            fields = {"name": entry["name"], "description": entry.get("description", ""), "sort_order": order}
            if kind == "themes":
                fields["dma_dimension"] = entry.get("dma_dimension", "")
            if kind == "levels":
                fields["rank"] = entry.get("rank", order + 1)
            if kind == "capabilities" and entry.get("theme"):
                fields["theme"] = themes.get(entry["theme"]) or Theme.objects.get(slug=entry["theme"])
            term = model.objects.create(slug=entry["slug"], **fields)
            if kind == "themes":
                themes[term.slug] = term
            report.created.append(f"{kind}:{entry['slug']}")


def _ensure_home(report: LoadReport) -> HomePage:
    home = HomePage.objects.first()
    if home is not None:
        return home
    root = Page.get_first_root_node()
    if root is None:  # a database emptied by `flush`: Wagtail's migrations made these
        Locale.objects.get_or_create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
        root = Page.add_root(
            instance=Page(title="Root", slug="root", content_type=ContentType.objects.get_for_model(Page))
        )
    # Wagtail's own "Welcome" placeholder, created by its migrations; never an editor's page.
    placeholder = Page.objects.filter(depth=2, slug="home", content_type__model="page", numchild=0).first()
    if placeholder is not None:
        Site.objects.filter(root_page=placeholder).delete()
        placeholder.delete()
        root.refresh_from_db()
    home = HomePage(
        title="Le numérique, pas à pas",
        slug="accueil",
        intro="<p>Des guides courts et concrets pour faire entrer votre commerce dans le numérique.</p>",
    )
    root.add_child(instance=home)
    home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="EleaSud")
    else:
        site.root_page = home
        site.save()
    report.created.append("page:accueil")
    return home


def _ensure_theme_pages(home: HomePage, report: LoadReport) -> dict[str, ThemePage]:
    pages = {page.theme.slug: page for page in ThemePage.objects.select_related("theme")}
    for theme in Theme.objects.order_by("sort_order"):
        if theme.slug in pages:
            continue
        page = ThemePage(title=theme.name, slug=theme.slug, theme=theme, intro=f"<p>{theme.description}</p>")
        home.add_child(instance=page)
        page.save_revision().publish()
        pages[theme.slug] = page
        report.created.append(f"page:{theme.slug}")
    return pages


def _apply_module_fields(page: ModulePage, spec: ModuleSpec) -> None:
    by_slug = lambda model, slugs: list(model.objects.filter(slug__in=slugs))  # noqa: E731
    page.title = spec.title
    page.summary = spec.summary
    page.body = spec.body
    page.estimated_minutes = spec.estimated_minutes
    page.cost_band = spec.cost_band
    page.level = Level.objects.get(slug=spec.level)
    page.theme = Theme.objects.get(slug=spec.theme)
    page.target_sectors = by_slug(Sector, spec.sectors)
    page.goals = by_slug(Goal, spec.goals)
    page.capabilities_required = by_slug(Capability, spec.capabilities_required)
    page.capabilities_built = by_slug(Capability, spec.capabilities_built)
    page.boost_weight = spec.boost_weight
    page.boost_starts_at = spec.boost_starts_at
    page.boost_ends_at = spec.boost_ends_at
    page.facts_checked_on = spec.checked_on
    page.student_help = spec.student_help
    page.en_bref = [("ligne", line) for line in spec.en_bref]
    page.sources = [
        ModuleSource(key=s["key"], title=s["title"], url=s["url"], checked_on=s["checked_on"], sort_order=order)
        for order, s in enumerate(spec.sources)
    ]
    page.content_fixture_hash = spec.fingerprint


def _edited_in_admin(page: ModulePage) -> bool:
    """True when a person saved a revision after the loader last wrote this page."""
    latest = page.latest_revision
    return latest is not None and latest.user_id is not None


def _load_module(spec: ModuleSpec, theme_pages, report: LoadReport, overwrite_edited: bool):
    """Create or update one module's page, unsaved as a revision yet: (page, needs_revision)."""
    existing = ModulePage.objects.filter(slug=spec.slug).first()
    if existing is None:
        page = ModulePage(slug=spec.slug, live=False)
        _apply_module_fields(page, spec)
        theme_pages[spec.theme].add_child(instance=page)
        report.created.append(f"module:{spec.slug}")
        return page, True
    if not existing.content_fixture_hash:
        report.skipped.append(f"module:{spec.slug} — créé dans l'administration, laissé tel quel")
        return None, False
    if existing.content_fixture_hash == spec.fingerprint:
        report.unchanged.append(f"module:{spec.slug}")
        return existing, False
    if _edited_in_admin(existing) and not overwrite_edited:
        report.skipped.append(
            f"module:{spec.slug} — modifié dans l'administration depuis le dernier chargement, non écrasé "
            "(relancez avec --overwrite-edited pour appliquer le fichier)"
        )
        return None, False
    page = existing.get_latest_revision_as_object()
    _apply_module_fields(page, spec)
    if page.get_parent().pk != theme_pages[spec.theme].pk:
        page.move(theme_pages[spec.theme], pos="last-child")
        page.refresh_from_db(fields=["path", "depth", "url_path"])
    report.updated.append(f"module:{spec.slug}")
    return page, True


def _publish_with_links(spec: ModuleSpec, page: ModulePage) -> None:
    """One revision per created or updated module, with its related links, then publish it."""
    targets = {p.slug: p for p in ModulePage.objects.filter(slug__in=spec.related)}
    page.related_links = [
        ModuleRelation(related_module=targets[slug], sort_order=order)
        for order, slug in enumerate(spec.related)
        if slug in targets
    ]
    page.save_revision(log_action=True).publish()


def _load_diagnostic(data: dict, report: LoadReport) -> None:
    fingerprint = _fingerprint(data)
    questionnaire = DiagnosticQuestionnaire.objects.filter(slug=data["slug"]).first()
    if questionnaire is not None and questionnaire.content_fixture_hash == fingerprint:
        report.unchanged.append(f"diagnostic:{data['slug']}")
        return
    created = questionnaire is None
    questionnaire = questionnaire or DiagnosticQuestionnaire(slug=data["slug"])
    questionnaire.title = data["title"]
    questionnaire.intro = data.get("intro", "")
    questionnaire.content_fixture_hash = fingerprint
    questionnaire.conflicts = data.get("conflicts") or []
    questionnaire.warning_rules = data.get("warning_rules") or []
    questionnaire.save()
    for order, band in enumerate(data["bands"]):
        MaturityBand.objects.update_or_create(
            questionnaire=questionnaire,
            slug=band["slug"],
            defaults={
                "label": band["label"],
                "min_score": band["min"],
                "message": band.get("message", ""),
                "sort_order": order,
            },
        )
    themes = {t.slug: t for t in Theme.objects.all()}
    capabilities = {c.slug: c for c in Capability.objects.all()}
    for order, item in enumerate(data["questions"]):
        question, _ = DiagnosticQuestion.objects.update_or_create(
            questionnaire=questionnaire,
            slug=item["slug"],
            defaults={
                "theme": themes[item["theme"]],
                "text": item["text"],
                "help_text": item.get("help", ""),
                "kind": item.get("kind", "single"),
                "scored": item.get("scored", True),
                "sort_order": order,
            },
        )
        question.excluded_sectors.set(Sector.objects.filter(slug__in=item.get("excluded_sectors") or []))
        question.save()
        for answer_order, answer_data in enumerate(item["answers"]):
            answer, _ = DiagnosticAnswer.objects.update_or_create(
                question=question,
                slug=answer_data["slug"],
                defaults={
                    "label": answer_data["label"],
                    "score": answer_data["score"],
                    "exclusive": answer_data.get("exclusive", False),
                    "sort_order": answer_order,
                },
            )
            answer.capabilities.set([capabilities[s] for s in answer_data.get("capabilities", [])])
            answer.save()
    (report.created if created else report.updated).append(f"diagnostic:{data['slug']}")


def load_catalogue(
    *, root: Path, overwrite_edited: bool = False, progress: Callable[[Iterable], Iterable] = lambda items: items
) -> LoadReport:
    """Load content_fixtures/ into the database in one transaction (see the module docstring)."""
    catalogue = read_catalogue(root)
    report = LoadReport(warnings=catalogue.warnings)
    with transaction.atomic():
        _ensure_taxonomy(catalogue.taxonomy, report)
        home = _ensure_home(report)
        theme_pages = _ensure_theme_pages(home, report)
        to_publish = []
        for spec in progress(catalogue.modules):
            page, needs_revision = _load_module(spec, theme_pages, report, overwrite_edited)
            if needs_revision:
                to_publish.append((spec, page))
        # Links need every target to exist, so revisions are made once all pages are in place.
        for spec, page in to_publish:
            _publish_with_links(spec, page)
        if catalogue.diagnostic is not None:
            _load_diagnostic(catalogue.diagnostic, report)
    return report
