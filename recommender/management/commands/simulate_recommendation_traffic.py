"""`manage.py simulate_recommendation_traffic`: demo merchants ask the real serving for their next modules and
act on what they are shown, so that on a local run the editors' report (Rapports → Recommandations) shows
click-through and completion rates per module and per model version.

What a demo merchant does with a shown module follows the simulator's ground truth: the population of
`seed_demo_merchants` is simulated again (same taxonomy, catalogue, size and seed give the same hidden
utilities; checked against the stored demo events, refused otherwise) and `SimulationParams`' behaviour rates
apply, plus a position bias for the list (see `act_on_list`). Events are recorded through
`merchants.services.record_events` with the response's `recommendation_id`. Each visit (round, merchant) is one
transaction whose impressions take a deterministic id, and its events deterministic ids: running the command
again with the same arguments adds nothing.
"""

import uuid
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from scipy.special import expit
from tqdm import tqdm

from merchants.models import EngagementEvent, MerchantProfile
from merchants.services import EventInput, record_events, step_count
from recommender import selectors, services, serving
from recommender.engine.simulate import SimulationParams
from recommender.management.commands.seed_demo_merchants import (
    DEMO_DOMAIN,
    demo_event_id,
    demo_population,
    demo_users,
)
from recommender.models import Impression

TRAFFIC_NAMESPACE = uuid.UUID("0f4d8a52-3b7e-4c1a-8e6f-9a2b5c7d1e30")
LIST_LENGTH = 5
MAX_ROUNDS = 60  # rounds are a day apart: "recent" traffic, well inside the events' one-year limit

# Assumptions of the list, on top of the simulator's (`SimulationParams`): documented guesses, not measurements.
#: Logit of opening a module of average utility shown first.
VIEW_OFFSET = -1.5
#: Each rank further down the list lowers the logit of opening it by this much.
POSITION_DECAY = 0.25
#: Share of unopened modules dismissed from the list ("Pas pour moi"), times expit(-utility).
LIST_DISMISS_RATE = 0.1


@dataclass(frozen=True)
class Action:
    """One thing a merchant did with a shown module, `after` seconds after the visit."""

    kind: str
    after: float
    value: int | None = None


def act_on_list(utilities, steps, minutes, rng, params: SimulationParams) -> list[list[Action]]:
    """What a merchant does with each module of a list (best rank first), given their true utilities.

    Opened with probability `expit(browse_utility · u + VIEW_OFFSET − POSITION_DECAY · (rank − 1))`; once
    opened, bookmarked, started, continued step by step, rated and dismissed at the simulator's rates
    (`engine.simulate`); an unopened module is dismissed from the list with `LIST_DISMISS_RATE · expit(−u)`.
    A step takes on average the module's estimated minutes divided by its steps.
    """
    actions = []
    for rank, (u, n_steps, total_minutes) in enumerate(zip(utilities, steps, minutes, strict=True)):
        done: list[Action] = []
        opened = rng.random() < expit(params.browse_utility * u + VIEW_OFFSET - POSITION_DECAY * rank)
        if not opened:
            if rng.random() < LIST_DISMISS_RATE * expit(-u):
                done.append(Action("dismissed", 20.0 + 10 * rank))
            actions.append(done)
            continue
        t = 60.0 * (1 + rank) + rng.exponential(60.0)
        done.append(Action("viewed", t))
        if rng.random() < params.bookmark_rate * expit(u):
            done.append(Action("bookmarked", t + 30.0))
        if rng.random() < expit(params.start_slope * u + params.start_offset):
            t += rng.exponential(300.0)
            done.append(Action("started", t))
            step_seconds = 60.0 * max(total_minutes, 1) / max(n_steps, 1)
            finished = True
            for step in range(n_steps):
                if rng.random() >= expit(u + params.step_continue_offset):
                    finished = False
                    break
                t += rng.exponential(step_seconds)
                done.append(Action("step_completed", t, step))
            if finished:
                done.append(Action("completed", t + 60.0))
                if rng.random() < params.rating_rate:
                    rating = int(np.clip(np.round(3 + 0.9 * u + rng.normal(0, 0.8)), 1, 5))
                    done.append(Action("rated", t + 120.0, rating))
        elif rng.random() < params.dismiss_rate * expit(-u):
            done.append(Action("dismissed", t + 30.0))
        actions.append(done)
    return actions


def demo_index(username: str) -> int:
    return int(username.removeprefix("demo-").removesuffix(f"@{DEMO_DOMAIN}"))


class Command(BaseCommand):
    help = (
        "Demo merchants ask the recommender for their next modules and act on them (simulated ground truth), "
        "so the editors' report shows click-through and completion rates. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rounds", type=int, default=2, help="Visits per merchant, one day apart, ending today.")
        parser.add_argument(
            "--merchants", type=int, default=150, help="How many demo merchants visit (demo-0, demo-1, …)."
        )
        parser.add_argument(
            "--seed", type=int, default=0, help="The seed `seed_demo_merchants` used; it also seeds the choices."
        )
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")

    def handle(self, *args, rounds, merchants, seed, no_progress, verbosity, **options):
        if not 1 <= rounds <= MAX_ROUNDS:
            raise CommandError(f"--rounds must be between 1 and {MAX_ROUNDS}.")
        if merchants < 1 or seed < 0:
            raise CommandError("--merchants must be at least 1 and --seed at least 0.")
        profiles = {
            demo_index(p.user.username): p
            for p in MerchantProfile.objects.filter(user__in=demo_users()).select_related("user")
        }
        if not profiles:
            raise CommandError("There are no demo merchants: run `manage.py seed_demo_merchants` first.")
        modules = selectors.catalogue()
        now = timezone.now()
        population = demo_population(n_merchants=len(profiles), seed=seed, modules=modules, now=now)
        self._check_same_population(population, profiles, modules, seed)
        if selectors.active_version_ref() is None:
            self.stdout.write(self.style.WARNING("No active model version: the fallback will answer."))

        column = {module.pk: i for i, module in enumerate(modules)}
        steps = {module.pk: step_count(module) for module in modules}
        visitors = sorted(profiles)[:merchants]
        visits = [(r, i) for r in range(rounds) for i in visitors]
        # The profile's id is part of the visit's: merchants seeded again (--replace) get fresh visits.
        ids = {(r, i): uuid.uuid5(TRAFFIC_NAMESPACE, f"{seed}-{r}-{i}-{profiles[i].pk}") for r, i in visits}
        done_before = set(
            Impression.objects.filter(merchant__user__in=demo_users())
            .values_list("recommendation_id", flat=True)
            .distinct()
        )
        impressions = events = skipped = 0
        for round_, index in tqdm(
            visits, desc="Traffic", unit="visit", file=self.stderr, disable=no_progress or verbosity == 0
        ):
            simulated_id = ids[(round_, index)]
            if simulated_id in done_before:
                skipped += 1
                continue
            rng = np.random.default_rng([seed, round_, index])
            visited_at = now - timedelta(days=rounds - round_) + timedelta(hours=rng.uniform(8, 18))
            with transaction.atomic():
                shown, created = self._visit(
                    profiles[index], population.utility[index], column, steps, simulated_id, visited_at, now, rng
                )
            impressions += shown
            events += created
        services.forget_cached_aggregates()
        self._summary(visits, skipped, impressions, events)

    def _check_same_population(self, population, profiles, modules, seed):
        """The re-simulated event stream must be the stored one, event for event: same merchants, same modules,
        same kinds. Otherwise the catalogue, the taxonomy, the seed or the demo merchants changed since seeding."""
        slugs = [module.slug for module in modules]
        expected = {
            demo_event_id(seed, n): (int(event["user"]), slugs[int(event["item"])], str(event["kind"]))
            for n, event in enumerate(population.events)
        }
        index_of = {profile.pk: index for index, profile in profiles.items()}
        stored = {
            event_id: (index_of.get(merchant_id), slug, kind)
            for event_id, merchant_id, slug, kind in EngagementEvent.objects.filter(
                merchant__in=list(profiles.values()), recommendation_id__isnull=True
            ).values_list("event_id", "merchant_id", "module_slug", "kind")
        }
        if stored != expected:
            raise CommandError(
                f"The demo merchants were not seeded with --seed {seed} over the current catalogue and taxonomy, "
                "so their simulated preferences cannot be recovered. Start over with "
                f"`manage.py seed_demo_merchants --replace --merchants {len(profiles)} --seed {seed}` "
                "(then `train_recommender`)."
            )

    def _visit(self, merchant, utility, column, steps, simulated_id, visited_at, now, rng) -> tuple[int, int]:
        """One visit: the real recommendations, re-stamped as this simulated visit, then what the merchant did."""
        response = serving.recommend_for(merchant, limit=LIST_LENGTH, now=visited_at)
        if not response.results:
            return 0, 0
        shown = services.stamp_simulated_impressions(
            recommendation_id=response.recommendation_id, simulated_id=simulated_id, shown_at=visited_at
        )
        listed = [result.module for result in response.results]
        actions = act_on_list(
            [utility[column[module.pk]] for module in listed],
            [steps[module.pk] for module in listed],
            [module.estimated_minutes for module in listed],
            rng,
            SimulationParams(),
        )
        inputs = [
            EventInput(
                event_id=uuid.uuid5(TRAFFIC_NAMESPACE, f"{simulated_id}-{module.slug}-{action.kind}-{action.value}"),
                module=module.slug,
                kind=action.kind,
                value=action.value,
                occurred_at=min(visited_at + timedelta(seconds=action.after), now),
                recommendation_id=simulated_id,
            )
            for module, done in zip(listed, actions, strict=True)
            for action in done
        ]
        outcomes = record_events(merchant=merchant, events=inputs) if inputs else []
        refused = [outcome for outcome in outcomes if outcome.status not in ("created", "duplicate")]
        if refused:
            raise CommandError(f"record_events refused simulated events: {refused[:3]}")
        return shown, sum(outcome.status == "created" for outcome in outcomes)

    def _summary(self, visits, skipped, impressions, events):
        merchants = len({index for _round, index in visits})
        rounds = len({round_ for round_, _index in visits})
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(visits) - skipped} visit(s) of {merchants} demo merchant(s) over {rounds} day(s): "
                f"{impressions} impressions and {events} events recorded"
                + (f"; {skipped} visit(s) already simulated, left alone." if skipped else ".")
            )
        )
        for row in selectors.model_version_report(limit=3):
            if row["impressions"]:
                self.stdout.write(
                    f"  version {row['version'].pk} ({row['version'].algorithm}): {row['impressions']} impressions, "
                    f"click-through {row['ctr']:.1%}, completion {row['completion_rate']:.1%}"
                )
