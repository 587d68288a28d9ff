"""`manage.py diagnostic_length`: the self-diagnostic's length on a phone, per sector (see cms/questionnaire_length.py)."""

from django.core.management.base import BaseCommand, CommandError

from cms import selectors
from cms.models import Sector
from cms.questionnaire_length import SECONDS_PER_TAP, WORDS_PER_MINUTE, measure


class Command(BaseCommand):
    help = "Print how many questions, taps and minutes the self-diagnostic takes on a phone, for each sector."

    def add_arguments(self, parser):
        parser.add_argument("--questionnaire", default=None, help="Questionnaire slug (default: the first one).")

    def handle(self, *args, questionnaire, **options):
        found = selectors.diagnostic_questionnaire(slug=questionnaire)
        if found is None:
            raise CommandError("No self-diagnostic questionnaire: run load_content first.")
        rows = [measure(found)] + [measure(found, sector=s.slug) for s in Sector.objects.order_by("sort_order")]
        self.stdout.write(
            f"{'sector':<24}{'questions':>10}{'min taps':>10}{'typical taps':>14}{'words':>8}{'minutes':>9}"
        )
        for row in rows:
            self.stdout.write(
                f"{row.sector:<24}{row.questions:>10}{row.min_taps:>10}{row.typical_taps:>14}"
                f"{row.words:>8}{row.minutes:>9.1f}"
            )
        self.stdout.write(
            f"(reading at {WORDS_PER_MINUTE} words a minute + {SECONDS_PER_TAP:g} s a tap; one page, one submit tap)"
        )
