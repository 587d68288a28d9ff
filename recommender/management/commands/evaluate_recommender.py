"""`manage.py evaluate_recommender`: the models compared on the database's data or on simulated populations
(`--simulate N`), printed as a table and written as a report (report.html + comparison.png)."""

import html
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandError

from recommender.engine.evaluation import ComparisonTable, run_simulated_comparison
from recommender.training import NotEnoughData, evaluate_models, load_training_data, models_for


class Command(BaseCommand):
    help = "Compare the models (NDCG@k, recall@k) on the database's data or on a simulated population."

    def add_arguments(self, parser):
        parser.add_argument(
            "--simulate", type=int, metavar="N", help="Simulate N merchants instead of reading the database."
        )
        parser.add_argument(
            "--seeds", type=int, nargs="+", default=[0, 1, 2], help="Seeds of the splits (and populations)."
        )
        parser.add_argument("--k", type=int, default=5, help="Length of the evaluated lists.")
        parser.add_argument(
            "--mode",
            choices=["declared", "production", "both"],
            default="both",
            help="Simulator mode (with --simulate): profiles as merchants are (declared), as the platform records "
            "them over time (production), or both.",
        )
        parser.add_argument(
            "--leak",
            action="store_true",
            help="In production mode, also train on today's profile instead of point-in-time rows (the leak).",
        )
        parser.add_argument("--output", default="reports", help="Report folder (created if needed).")

    def handle(self, *args, simulate, seeds, k, output, mode="both", leak=False, **options):
        metric = f"ndcg@{k}"
        if simulate:
            table = ComparisonTable()
            runs = [("declared", True)] if mode in ("declared", "both") else []
            if mode in ("production", "both"):
                runs += [("production", True)] + ([("production", False)] if leak else [])
            for sim_mode, point_in_time in runs:
                label = sim_mode if point_in_time or sim_mode == "declared" else f"{sim_mode}, profil du jour"
                part = run_simulated_comparison(
                    n_merchants=simulate, seeds=seeds, k=k, mode=sim_mode, point_in_time=point_in_time
                )
                table.rows += [{"mode": label, **row} for row in part.rows]
            source = f"a simulated population of {simulate} merchants, seeds {' '.join(map(str, seeds))}"
        else:
            table = self._database_table(seeds, k)
            source = "the database's data"
        self._add_ratios(table, metric)
        columns = [
            "mode",
            "scenario",
            "model",
            "seed",
            "users",
            metric,
            f"recall@{k}",
            f"coverage@{k}",
            "ratio",
            "ratio (global)",
        ]
        text = table.format_table([c for c in columns if c in table.columns()])
        self.stdout.write(f"Comparison on {source} (ratio = {metric} / per-sector popularity)\n")
        self.stdout.write(text)
        directory = Path(output)
        directory.mkdir(parents=True, exist_ok=True)
        self._plot(table, k, directory / "comparison.png")
        (directory / "report.html").write_text(self._html(source, text), encoding="utf-8")
        self.stdout.write(
            self.style.SUCCESS(f"Report written: {directory / 'report.html'} and {directory / 'comparison.png'}")
        )

    def _database_table(self, seeds, k) -> ComparisonTable:
        try:
            data = load_training_data()
        except NotEnoughData as error:
            raise CommandError(str(error)) from error
        table = ComparisonTable()
        for seed in seeds:
            _metrics, tables, _splits = evaluate_models(data, models=models_for(data, seed=seed), k=k, seed=seed)
            for part in tables:
                for row in part.rows:
                    table.rows.append({**row, "seed": seed})
        return table

    @staticmethod
    def _add_ratios(table, metric, baseline="popularity (secteur)"):
        """Adds `ratio` (model / per-sector popularity, same scenario and seed) where the engine did not."""
        base = {(r.get("mode"), r["scenario"], r.get("seed")): r[metric] for r in table.rows if r["model"] == baseline}
        for row in table.rows:
            if "ratio" not in row or row["ratio"] is None:
                reference = base.get((row.get("mode"), row["scenario"], row.get("seed")))
                row["ratio"] = row[metric] / reference if reference else float("nan")

    @staticmethod
    def _plot(table, k, path):
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        rows = [r for r in table.rows if r.get("seed") != "mean"]
        if any("mode" in r for r in rows):
            rows = [{**r, "scenario": f"{r['mode']} · {r['scenario']}"} for r in rows]
        scenarios = list(dict.fromkeys(r["scenario"] for r in rows))
        models = list(dict.fromkeys(r["model"] for r in rows))
        seeds = list(dict.fromkeys(r.get("seed") for r in rows))
        figure, axes = plt.subplots(2, len(scenarios), figsize=(5 * len(scenarios), 7), squeeze=False)
        width = 0.8 / max(len(seeds), 1)
        for col, scenario in enumerate(scenarios):
            for line, metric in enumerate((f"ndcg@{k}", f"recall@{k}")):
                ax = axes[line][col]
                for s, seed in enumerate(seeds):
                    values = [
                        next(
                            (
                                r[metric]
                                for r in rows
                                if r["scenario"] == scenario and r["model"] == m and r.get("seed") == seed
                            ),
                            np.nan,
                        )
                        for m in models
                    ]
                    ax.bar(np.arange(len(models)) + s * width, values, width, label=f"seed {seed}")
                ax.set_title(f"{scenario} — {metric}")
                ax.set_xticks(np.arange(len(models)) + width * (len(seeds) - 1) / 2, models, rotation=40, ha="right")
        axes[0][0].legend(fontsize=8)
        figure.tight_layout()
        figure.savefig(path, dpi=100)
        plt.close(figure)

    @staticmethod
    def _html(source, text):
        return (
            '<!doctype html><html lang="en"><meta charset="utf-8"><title>Recommender evaluation</title>'
            f"<h1>Recommender evaluation</h1><p>Comparison on {html.escape(source)}</p>"
            f'<pre>{html.escape(text)}</pre><img src="comparison.png" alt="NDCG and recall per model and seed">'
            "</html>\n"
        )
