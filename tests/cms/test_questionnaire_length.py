"""The self-diagnostic's length on a phone is measured from its content, and the intro announces no less."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from cms.models import DiagnosticQuestionnaire
from cms.questionnaire_length import measure

pytestmark = pytest.mark.django_db


def test_the_announced_duration_covers_the_measured_one():
    questionnaire = DiagnosticQuestionnaire.objects.get()
    length = measure(questionnaire)
    announced = max(int(n) for n in re.findall(r"(\d+) minutes", questionnaire.intro.replace(" à ", " minutes ")))
    assert length.minutes <= announced, f"measured {length.minutes:.1f} min, the intro announces {announced}"
    assert length.questions == questionnaire.questions.count()
    assert length.min_taps == length.questions + 1  # one answer a question, one submit tap


def test_a_plumber_is_asked_fewer_questions_and_the_command_prints_the_table():
    questionnaire = DiagnosticQuestionnaire.objects.get()
    assert measure(questionnaire, sector="artisanat-batiment").questions == measure(questionnaire).questions - 2
    out = StringIO()
    call_command("diagnostic_length", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["sector", "questions", "min", "taps", "typical", "taps", "words", "minutes"]
    plumber = next(line for line in lines if line.startswith("artisanat-batiment"))
    assert plumber.split()[1] == str(measure(questionnaire, sector="artisanat-batiment").questions)
