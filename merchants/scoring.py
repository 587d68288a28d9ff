"""Scoring of the self-diagnostic as a pure function over plain data (no database), so it is easy to test.

- a question that does not apply to the merchant's sector (no online-sales question for a plumber) is neither
  asked nor scored; a question marked `scored=False` only decides which rules apply (VAT status, share of sales
  to businesses) and adds no points;
- a single-choice question scores the chosen answer's score; a multiple-choice question the sum of the chosen
  answers' scores, capped at 100;
- a theme scores the mean of its scored questions; the overall score is the mean of the theme scores (themes
  that have scored questions); both are rounded half up to whole points out of 100;
- the band is the highest band whose minimum is at most the (rounded) overall score;
- legal obligations are not points diluted in a theme: each warning rule whose conditions hold is returned as a
  warning, whatever the band.

Answers that contradict each other are refused, naming the questions: an `exclusive` answer (« aucun »,
« uniquement en espèces ou par chèque ») ticked with another one, or two answers the questionnaire lists as a
conflict (« plus de 20 % de ventes en ligne » with « il faut venir sur place »).
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Answer:
    slug: str
    score: int
    capabilities: tuple[str, ...] = ()
    exclusive: bool = False
    label: str = ""


@dataclass(frozen=True)
class Question:
    slug: str
    theme: str
    kind: str  # "single" or "multiple"
    answers: tuple[Answer, ...]
    scored: bool = True
    excluded_sectors: tuple[str, ...] = ()

    def applies_to(self, sector: str | None) -> bool:
        return not (sector and sector in self.excluded_sectors)


@dataclass(frozen=True)
class Band:
    slug: str
    label: str
    min_score: int
    message: str = ""


@dataclass(frozen=True)
class Conflict:
    """Two answers ("question.answer") that cannot both be true."""

    answers: tuple[str, str]
    message: str


@dataclass(frozen=True)
class WarningRule:
    """A legal obligation the answers reveal: fires when every `when_all` answer is chosen, at least one
    `when_any` answer is (if any are listed), and no `unless_any` answer is. Answers are "question.answer"."""

    slug: str
    title: str
    message: str
    module: str = ""
    when_all: tuple[str, ...] = ()
    when_any: tuple[str, ...] = ()
    unless_any: tuple[str, ...] = ()

    def fires(self, chosen: set[str]) -> bool:
        return (
            all(a in chosen for a in self.when_all)
            and (not self.when_any or any(a in chosen for a in self.when_any))
            and not any(a in chosen for a in self.unless_any)
        )

    def as_dict(self) -> dict:
        return {"slug": self.slug, "title": self.title, "message": self.message, "module": self.module}


@dataclass(frozen=True)
class DiagnosticScore:
    theme_scores: dict[str, int]
    overall_score: int
    band: Band
    capabilities: tuple[str, ...]
    warnings: tuple[dict, ...] = ()
    skipped_questions: tuple[str, ...] = ()


class InvalidAnswers(ValueError):
    """The answers do not fit the questionnaire; `errors` maps `answers.<question slug>` to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("invalid diagnostic answers")
        self.errors = errors


def round_half_up(value: float) -> int:
    return int(math.floor(value + 0.5))


def validate_answers(
    questions: Sequence[Question],
    answers: Mapping[str, Sequence[str]],
    *,
    sector: str | None = None,
    conflicts: Sequence[Conflict] = (),
) -> None:
    """Every applicable question answered once, only known slugs, one answer to a single-choice question,
    no exclusive answer combined with another, no two conflicting answers."""
    errors: dict[str, list[str]] = {}
    by_slug = {question.slug: question for question in questions}
    for slug in answers:
        if slug not in by_slug:
            errors[f"answers.{slug}"] = [f"Question inconnue. Questions attendues : {', '.join(by_slug)}."]
    for question in questions:
        if not question.applies_to(sector):
            continue
        key = f"answers.{question.slug}"
        chosen = list(answers.get(question.slug) or [])
        if not chosen:
            errors[key] = ["Répondez à cette question."]
            continue
        accepted = {answer.slug: answer for answer in question.answers}
        unknown = [slug for slug in chosen if slug not in accepted]
        if unknown:
            errors[key] = [f"Réponse inconnue : {', '.join(unknown)}. Réponses acceptées : {', '.join(accepted)}."]
        elif len(set(chosen)) != len(chosen):
            errors[key] = ["La même réponse est donnée deux fois."]
        elif question.kind == "single" and len(chosen) > 1:
            errors[key] = ["Une seule réponse est possible pour cette question."]
        elif len(chosen) > 1 and (exclusive := [accepted[s] for s in chosen if accepted[s].exclusive]):
            errors[key] = [
                f"« {exclusive[0].label or exclusive[0].slug} » ne peut pas être cochée avec une autre réponse."
            ]
    if not errors:
        chosen_all = chosen_answers(questions, answers, sector=sector)
        for conflict in conflicts:
            if all(answer in chosen_all for answer in conflict.answers):
                for answer in conflict.answers:
                    errors.setdefault(f"answers.{answer.split('.', 1)[0]}", []).append(conflict.message)
    if errors:
        raise InvalidAnswers(errors)


def chosen_answers(
    questions: Sequence[Question], answers: Mapping[str, Sequence[str]], *, sector: str | None = None
) -> set[str]:
    """Every chosen answer of an applicable question, as "question.answer"."""
    return {
        f"{question.slug}.{slug}"
        for question in questions
        if question.applies_to(sector)
        for slug in answers.get(question.slug) or []
    }


def score_diagnostic(
    questions: Sequence[Question],
    bands: Sequence[Band],
    answers: Mapping[str, Sequence[str]],
    *,
    sector: str | None = None,
    conflicts: Sequence[Conflict] = (),
    warning_rules: Sequence[WarningRule] = (),
) -> DiagnosticScore:
    """Scores per theme, overall score, band, detected capabilities and legal warnings; raises InvalidAnswers."""
    if not bands:
        raise ValueError("a questionnaire needs at least one maturity band")
    validate_answers(questions, answers, sector=sector, conflicts=conflicts)

    question_scores: dict[str, list[float]] = {}
    capabilities: dict[str, None] = {}  # ordered set
    skipped = []
    for question in questions:
        if not question.applies_to(sector):
            skipped.append(question.slug)
            continue
        chosen = {answer.slug: answer for answer in question.answers if answer.slug in answers[question.slug]}
        for answer in chosen.values():
            capabilities.update(dict.fromkeys(answer.capabilities))
        if question.scored:
            question_scores.setdefault(question.theme, []).append(min(100, sum(a.score for a in chosen.values())))

    exact = {theme: sum(scores) / len(scores) for theme, scores in question_scores.items()}
    overall = round_half_up(sum(exact.values()) / len(exact)) if exact else 0
    ordered = sorted(bands, key=lambda band: band.min_score)
    reached = [band for band in ordered if band.min_score <= overall]
    chosen_all = chosen_answers(questions, answers, sector=sector)
    return DiagnosticScore(
        theme_scores={theme: round_half_up(value) for theme, value in exact.items()},
        overall_score=overall,
        band=reached[-1] if reached else ordered[0],
        capabilities=tuple(capabilities),
        warnings=tuple(rule.as_dict() for rule in warning_rules if rule.fires(chosen_all)),
        skipped_questions=tuple(skipped),
    )
