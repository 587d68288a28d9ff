"""`manage.py train_recommender`: fit on the database's data, evaluate on a held-out split, store a
ModelVersion and activate it if it passes the promotion gate (or `--force`)."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from recommender.training import ALGORITHMS, NotEnoughData, train_model_version

STEPS = 5


class Command(BaseCommand):
    help = "Train the recommender on the database's data, evaluate it, and activate it if it passes the gate."

    def add_arguments(self, parser):
        parser.add_argument("--model", choices=ALGORITHMS, default="hybrid", help="Model to train.")
        parser.add_argument("--force", action="store_true", help="Activate the version even if it fails the gate.")
        parser.add_argument("--k", type=int, default=5, help="Length of the evaluated lists (NDCG@k).")
        parser.add_argument("--seed", type=int, default=0, help="Seed of the splits and the models.")
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")

    def handle(self, *args, model, force, k, seed, no_progress, **options):
        with tqdm(total=STEPS, desc="Training", disable=no_progress, file=self.stderr) as bar:

            def progress(label):
                bar.set_postfix_str(label)
                bar.update(1)

            try:
                outcome = train_model_version(algorithm=model, force=force, k=k, seed=seed, progress=progress)
            except NotEnoughData as error:
                raise CommandError(str(error)) from error

        version, gate = outcome.version, outcome.gate
        for table in outcome.tables:
            self.stdout.write(
                table.format_table(["scenario", "model", "users", f"ndcg@{k}", f"recall@{k}", f"coverage@{k}"])
            )
            self.stdout.write("")
        counts = ", ".join(f"{key}={value}" for key, value in version.data_counts.items())
        self.stdout.write(f"Data: {counts}; took {version.training_seconds:.1f} s")
        if gate["active"] is not None:
            active = f"{gate['active']:.4f} ({gate['active_note']})"
        else:
            active = gate.get("active_note") or "—"
        self.stdout.write(
            f"Gate on {gate['metric']}: candidate {gate['candidate']:.4f}, popularity {gate['popularity']:.4f}, "
            f"active version {active}"
        )
        if version.is_active:
            how = (
                " (forced)"
                if gate["forced"] and not (gate["beats_popularity"] and gate["not_worse_than_active"])
                else ""
            )
            self.stdout.write(self.style.SUCCESS(f"Version {version.pk} ({version.algorithm}) activated{how}."))
        else:
            why = []
            if not gate["beats_popularity"]:
                why.append("does not beat popularity")
            if gate.get("active_score_unknown"):
                why.append(f"the active version's score is unknown: {gate.get('active_note', '')}")
            elif not gate["not_worse_than_active"]:
                why.append("worse than the active version")
            self.stdout.write(
                self.style.WARNING(
                    f"Version {version.pk} rejected: {' and '.join(why)}. Use `--force` to activate it anyway."
                )
            )
