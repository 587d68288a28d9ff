"""`manage.py load_content [PATH]`: load the starter catalogue (see cms/content_loading.py)."""

import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from cms.content_loading import ContentError, load_catalogue, read_catalogue


class Command(BaseCommand):
    help = "Load taxonomy, modules and the diagnostic from content_fixtures/ (idempotent, all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(Path(settings.BASE_DIR) / "content_fixtures"))
        parser.add_argument(
            "--overwrite-edited",
            action="store_true",
            help="Also apply changed files to modules an editor changed in the admin since the last load.",
        )
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")
        parser.add_argument("--check", action="store_true", help="Only check the files; write nothing.")

    def handle(self, *args, path, overwrite_edited, no_progress, check, verbosity, **options):
        if check:
            try:
                catalogue = read_catalogue(Path(path))
            except ContentError as error:
                raise CommandError("The content files have problems.\n" + "\n".join(error.problems)) from error
            for warning in catalogue.warnings:
                self.stdout.write(self.style.WARNING(f"  warning: {warning}"))
            self.stdout.write(
                self.style.SUCCESS(
                    f"{len(catalogue.modules)} module files checked: no problem"
                    + (f", {len(catalogue.warnings)} warning(s)." if catalogue.warnings else ".")
                )
            )
            return

        def progress(items):
            return tqdm(items, desc="Modules", unit="module", file=sys.stderr, disable=no_progress or verbosity == 0)

        try:
            report = load_catalogue(root=Path(path), overwrite_edited=overwrite_edited, progress=progress)
        except ContentError as error:
            raise CommandError(
                "Nothing was loaded: the content files have problems.\n" + "\n".join(error.problems)
            ) from error

        modules = lambda items: [i for i in items if i.startswith("module:")]  # noqa: E731
        self.stdout.write(
            self.style.SUCCESS(
                f"Content loaded from {path}: {len(report.created)} created "
                f"({len(modules(report.created))} modules), {len(report.updated)} updated, "
                f"{len(report.unchanged)} unchanged, {len(report.skipped)} left alone."
            )
        )
        if verbosity >= 2:
            for label, items in (("created", report.created), ("updated", report.updated)):
                for item in items:
                    self.stdout.write(f"  {label}: {item}")
        for warning in report.warnings:
            self.stdout.write(self.style.WARNING(f"  warning: {warning}"))
        for item in report.skipped:
            self.stdout.write(self.style.WARNING(f"  left alone: {item}"))
