"""`manage.py train_recommender`: fit on the database's data, evaluate on a held-out split, store a
ModelVersion and activate it if it passes the promotion gate (or `--force`)."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from recommender.training import ALGORITHMS, NotEnoughData, train_model_version

STEPS = 5


class Command(BaseCommand):
    help = "Entraîne le recommandeur sur les données de la base, l'évalue et l'active s'il passe la barrière."

    def add_arguments(self, parser):
        parser.add_argument("--model", choices=ALGORITHMS, default="hybrid", help="Modèle à entraîner.")
        parser.add_argument("--force", action="store_true", help="Active la version même si elle échoue à la barrière.")
        parser.add_argument("--k", type=int, default=5, help="Longueur des listes évaluées (NDCG@k).")
        parser.add_argument("--seed", type=int, default=0, help="Graine des découpages et des modèles.")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, model, force, k, seed, no_progress, **options):
        with tqdm(total=STEPS, desc="entraînement", disable=no_progress, file=self.stderr) as bar:

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
        self.stdout.write(f"Données : {counts} ; durée {version.training_seconds:.1f} s")
        active = "—" if gate["active"] is None else f"{gate['active']:.4f} ({gate['active_note']})"
        self.stdout.write(
            f"Barrière sur {gate['metric']} : candidat {gate['candidate']:.4f}, popularité {gate['popularity']:.4f}, "
            f"version active {active}"
        )
        if version.is_active:
            how = (
                " (forcée)"
                if gate["forced"] and not (gate["beats_popularity"] and gate["not_worse_than_active"])
                else ""
            )
            self.stdout.write(self.style.SUCCESS(f"Version {version.pk} ({version.algorithm}) activée{how}."))
        else:
            why = []
            if not gate["beats_popularity"]:
                why.append("ne bat pas la popularité")
            if not gate["not_worse_than_active"]:
                why.append("moins bonne que la version active")
            self.stdout.write(
                self.style.WARNING(
                    f"Version {version.pk} rejetée : {' et '.join(why)}. `--force` pour l'activer quand même."
                )
            )
