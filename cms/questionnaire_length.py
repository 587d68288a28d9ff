"""How long the self-diagnostic takes on a phone, measured from its content (what a merchant reads and taps).

The reference client shows every question on one scrolling page, each answer a full-width radio button or
checkbox, then one « Voir mon résultat » button. So:
- taps: one per single-choice question, at least one per multiple-choice question (`typical` counts the mean
  number of ticks merchants give, 2, capped by the non-exclusive answers), plus the submit button;
- reading: every word of the questions, their help and their answers, at 200 words a minute (a common figure
  for reading French on a phone; slower readers should double it);
- time = reading + 2 seconds a tap (finding and pressing a large target on a phone).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

WORDS_PER_MINUTE = 200
SECONDS_PER_TAP = 2.0
TYPICAL_TICKS = 2


@dataclass(frozen=True)
class QuestionnaireLength:
    sector: str
    questions: int
    min_taps: int
    typical_taps: int
    words: int

    @property
    def minutes(self) -> float:
        return self.words / WORDS_PER_MINUTE + self.typical_taps * SECONDS_PER_TAP / 60


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text or ""))


def measure(questionnaire, *, sector: str = "") -> QuestionnaireLength:
    """Questions asked to a merchant of `sector` ("" = sector unknown, every question), taps and words."""
    questions = [
        q
        for q in questionnaire.questions.prefetch_related("answers", "excluded_sectors")
        if not (sector and sector in {s.slug for s in q.excluded_sectors.all()})
    ]
    min_taps = typical = words = 0
    for question in questions:
        answers = list(question.answers.all())
        words += _words(question.text) + _words(question.help_text) + sum(_words(a.label) for a in answers)
        min_taps += 1
        if question.kind == "multiple":
            typical += min(TYPICAL_TICKS, len([a for a in answers if not a.exclusive]) or 1)
        else:
            typical += 1
    return QuestionnaireLength(
        sector=sector or "tous", questions=len(questions), min_taps=min_taps + 1, typical_taps=typical + 1, words=words
    )
