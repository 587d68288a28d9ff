"""`manage.py recommender_versions [--activate N]`: list the trained versions, or roll back/forward.

Activation takes effect on every API worker at its next request (serving reads the active id from the
database), so a rollback needs no restart.
"""

from django.core.management.base import BaseCommand, CommandError

from recommender import artifacts
from recommender.models import ModelVersion
from recommender.services import activate_version


class Command(BaseCommand):
    help = "List recommender model versions with their held-out NDCG@5, or activate one (--activate ID)."

    def add_arguments(self, parser):
        parser.add_argument("--activate", type=int, metavar="ID", help="Make this version the active one.")

    def handle(self, *args, activate, **options):
        if activate is not None:
            version = ModelVersion.objects.filter(pk=activate).first()
            if version is None:
                raise CommandError(f"No model version {activate}: run without --activate to list them.")
            try:
                artifacts.load(version.artifact_name, sha256=version.artifact_sha256)  # what serving will load
            except artifacts.ArtifactError as error:
                raise CommandError(f"Version {activate} cannot be activated: {error}") from error
            activate_version(version=version)
            self.stdout.write(self.style.SUCCESS(f"Version {version.pk} ({version.algorithm}) is now active."))
            return

        self.stdout.write(
            f"{'id':>4}  {'status':<9}  {'algorithm':<16}  {'created':<16}  {'ndcg@5 warm':>11}  {'cold':>6}"
        )
        for version in ModelVersion.objects.order_by("-created_at", "-id")[:50]:
            warm = version.metrics.get("warm", {}).get(version.algorithm, {}).get("ndcg@5")
            cold = version.metrics.get("cold", {}).get(version.algorithm, {}).get("ndcg@5")
            self.stdout.write(
                f"{version.pk:>4}  {version.status:<9}  {version.algorithm:<16}  "
                f"{version.created_at:%Y-%m-%d %H:%M}  {_fmt(warm):>11}  {_fmt(cold):>6}"
            )


def _fmt(value) -> str:
    return "—" if value is None else f"{value:.3f}"
