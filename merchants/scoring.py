"""Scoring of the self-diagnostic as a pure function over plain data (no database), so it is easy to test.

- a single-choice question scores the chosen answer's score;
- a multiple-choice question scores the sum of the chosen answers' scores, capped at 100;
- a theme scores the mean of its questions' scores; the overall score is the mean of the theme scores
  (themes that have questions); both are rounded half up to whole points out of 100;
- the band is the highest band whose minimum is at most the (rounded) overall score.

A zero-score answer such as "aucun" ticked together with other answers adds nothing and detects no
capability, so it is neutral rather than an error: the content model has no "exclusive" flag, and some
zero-score answers are legitimately combined with others ("espèces et chèques" next to "carte sans contact").
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Answer:
    slug: str
    score: int
    capabilities: tuple[str, ...] = ()


@dataclass(frozen=True)
class Question:
    slug: str
    theme: str
    kind: str  # "single" or "multiple"
    answers: tuple[Answer, ...]


@dataclass(frozen=True)
class Band:
    slug: str
    label: str
    min_score: int
    message: str = ""


@dataclass(frozen=True)
class DiagnosticScore:
    theme_scores: dict[str, int]
    overall_score: int
    band: Band
    capabilities: tuple[str, ...]


class InvalidAnswers(ValueError):
    """The answers do not fit the questionnaire; `errors` maps `answers.<question slug>` to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("invalid diagnostic answers")
        self.errors = errors


def round_half_up(value: float) -> int:
    return int(math.floor(value + 0.5))


def validate_answers(questions: Sequence[Question], answers: Mapping[str, Sequence[str]]) -> None:
    """Every question answered once, only known slugs, one answer to a single-choice question."""
    errors: dict[str, list[str]] = {}
    by_slug = {question.slug: question for question in questions}
    for slug in answers:
        if slug not in by_slug:
            errors[f"answers.{slug}"] = [f"Question inconnue. Questions attendues : {', '.join(by_slug)}."]
    for question in questions:
        key = f"answers.{question.slug}"
        chosen = list(answers.get(question.slug) or [])
        if not chosen:
            errors[key] = ["Répondez à cette question."]
            continue
        accepted = [answer.slug for answer in question.answers]
        unknown = [slug for slug in chosen if slug not in accepted]
        if unknown:
            errors[key] = [f"Réponse inconnue : {', '.join(unknown)}. Réponses acceptées : {', '.join(accepted)}."]
        elif len(set(chosen)) != len(chosen):
            errors[key] = ["La même réponse est donnée deux fois."]
        elif question.kind == "single" and len(chosen) > 1:
            errors[key] = ["Une seule réponse est possible pour cette question."]
    if errors:
        raise InvalidAnswers(errors)


def score_diagnostic(
    questions: Sequence[Question], bands: Sequence[Band], answers: Mapping[str, Sequence[str]]
) -> DiagnosticScore:
    """Scores per theme, overall score, band and detected capabilities; raises InvalidAnswers."""
    if not bands:
        raise ValueError("a questionnaire needs at least one maturity band")
    validate_answers(questions, answers)

    question_scores: dict[str, list[float]] = {}
    capabilities: dict[str, None] = {}  # ordered set
    for question in questions:
        chosen = {answer.slug: answer for answer in question.answers if answer.slug in answers[question.slug]}
        score = min(100, sum(answer.score for answer in chosen.values()))
        question_scores.setdefault(question.theme, []).append(score)
        for answer in chosen.values():
            capabilities.update(dict.fromkeys(answer.capabilities))

    exact = {theme: sum(scores) / len(scores) for theme, scores in question_scores.items()}
    overall = round_half_up(sum(exact.values()) / len(exact)) if exact else 0
    ordered = sorted(bands, key=lambda band: band.min_score)
    reached = [band for band in ordered if band.min_score <= overall]
    return DiagnosticScore(
        theme_scores={theme: round_half_up(value) for theme, value in exact.items()},
        overall_score=overall,
        band=reached[-1] if reached else ordered[0],
        capabilities=tuple(capabilities),
    )
