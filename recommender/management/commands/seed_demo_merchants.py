"""Demo merchants for a local run: a simulated population (recommender.engine.simulate) over the REAL
catalogue, stored as merchant accounts, profiles, diagnostics and engagement events.

Demo accounts are marked as such: `demo-<n>@exemple.invalid` (a reserved domain), an unusable password,
business name "Démo n° <n>". Running it again does nothing while demo merchants exist (`--replace` removes
them first). Events get deterministic ids, so nothing is ever stored twice.
"""

import uuid
from datetime import UTC, datetime, timedelta

import numpy as np
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from cms.models import Capability, DiagnosticQuestionnaire, Goal, Sector
from merchants.demo import spread_demo_merchants
from merchants.models import CapabilityOrigin, DiagnosticResult, EngagementEvent, MerchantProfile
from merchants.services import EventInput, step_count
from recommender import selectors, services
from recommender.engine.simulate import Catalogue, SimulationParams, simulate_population

DEMO_DOMAIN = "exemple.invalid"
DEMO_NAMESPACE = uuid.UUID("5b0c6f1e-7d1a-4c43-9f5e-2f0d3c9a4e11")
BATCH = 2000


def demo_users():
    return get_user_model().objects.filter(username__startswith="demo-", username__endswith=f"@{DEMO_DOMAIN}")


def demo_username(index: int) -> str:
    """The account of the population's merchant `index` (0-based, the simulator's user index)."""
    return f"demo-{index}@{DEMO_DOMAIN}"


def demo_event_id(seed: int, n: int):
    """The id of the population's `n`-th simulated event (deterministic: seeding never stores an event twice)."""
    return uuid.uuid5(DEMO_NAMESPACE, f"{seed}-{n}")


def demo_population(*, n_merchants: int, seed: int, modules: list, now: datetime):
    """The simulated population over the published `modules`: a pure function of the taxonomy, the catalogue,
    `n_merchants` and `seed` (`now` only shifts the timestamps), so it can be simulated again to recover the
    demo merchants' hidden preferences (`population.utility`)."""
    taxonomy = selectors.current_taxonomy()
    theme_of = selectors.capability_theme_slugs()
    capability_themes = np.array(
        [taxonomy.themes.index(theme_of[c]) if theme_of.get(c) in taxonomy.themes else 0 for c in taxonomy.capabilities]
    )
    catalogue = Catalogue.from_records([selectors.module_record(m) for m in modules], taxonomy)
    params = SimulationParams()
    return simulate_population(
        n_merchants,
        catalogue=catalogue,
        seed=seed,
        params=params,
        capability_themes=capability_themes,
        start=now - timedelta(weeks=params.weeks + 1),
        mode="production",
    )


def _moment(epoch, now: datetime) -> datetime:
    """A simulated epoch time as a datetime, never in the future."""
    if epoch is None:
        return now
    return min(datetime.fromtimestamp(float(epoch), tz=UTC), now)


class Command(BaseCommand):
    help = "Create simulated demo merchants (profiles, self-diagnostics, events) over the real catalogue."

    def add_arguments(self, parser):
        parser.add_argument("--merchants", type=int, default=300, help="How many demo merchants.")
        parser.add_argument("--seed", type=int, default=0, help="Seed of the simulated population.")
        parser.add_argument("--replace", action="store_true", help="Delete the demo merchants first.")
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")

    def handle(self, *args, merchants, seed, replace, no_progress, **options):
        if merchants < 1:
            raise CommandError("--merchants must be at least 1.")
        if replace:
            deleted = demo_users().count()
            demo_users().delete()
            self.stdout.write(f"{deleted} demo merchant(s) deleted.")
        existing = demo_users().count()
        if existing:
            self.stdout.write(f"{existing} demo merchants already exist: nothing to do (--replace to start over).")
            return
        modules = selectors.catalogue()
        if len(modules) < 2:
            raise CommandError("The catalogue is empty: run `manage.py load_content` first.")

        now = timezone.now()
        population = demo_population(n_merchants=merchants, seed=seed, modules=modules, now=now)
        with transaction.atomic():
            profiles = self._profiles(population, seed, no_progress)
            diagnostics = self._diagnostics(population, profiles)
            self._capability_origins(population, profiles, diagnostics, modules)
            n_events = self._events(population, profiles, modules, seed, now, no_progress)
            spread_demo_merchants(profiles=profiles, seed=seed)  # places, past diagnostics, help requests
        services.forget_cached_aggregates()
        self.stdout.write(
            self.style.SUCCESS(f"{len(profiles)} demo merchants and {n_events} events created (seed {seed}).")
        )

    def _profiles(self, population, seed, no_progress):
        user_model = get_user_model()
        users = [
            user_model(username=demo_username(i), email=demo_username(i), password="!demo-unusable")
            for i in range(population.n_merchants)
        ]
        for user in users:
            user.set_unusable_password()
        user_model.objects.bulk_create(users, batch_size=BATCH)
        users = list(demo_users().order_by("id"))
        by_username = {user.username: user for user in users}
        sectors = dict(Sector.objects.values_list("slug", "pk"))
        now = timezone.now()
        profiles = MerchantProfile.objects.bulk_create(
            [
                MerchantProfile(
                    user=by_username[demo_username(i)],
                    business_name=f"Démo n° {i}",
                    sector_id=sectors.get(record["sector"]),
                    size_band=record["size_band"],
                    personalisation_consent=True,
                    consent_updated_at=now,
                    created_at=now,
                )
                for i, record in enumerate(population.merchants)
            ],
            batch_size=BATCH,
        )
        if not all(p.pk for p in profiles):  # backends without RETURNING ids on bulk insert
            by_user = {p.user_id: p for p in MerchantProfile.objects.filter(user__in=users)}
            profiles = [by_user[by_username[demo_username(i)].pk] for i in range(population.n_merchants)]
        capabilities = dict(Capability.objects.values_list("slug", "pk"))
        goals = dict(Goal.objects.values_list("slug", "pk"))
        caps_through = MerchantProfile.capabilities.through
        goals_through = MerchantProfile.goals.through
        caps_rows, goal_rows = [], []
        for profile, record in tqdm(
            list(zip(profiles, population.merchants, strict=True)), desc="Profiles", disable=no_progress
        ):
            caps_rows += [
                caps_through(merchantprofile_id=profile.pk, capability_id=capabilities[c])
                for c in record["capabilities"]
            ]
            goal_rows += [goals_through(merchantprofile_id=profile.pk, goal_id=goals[g]) for g in record["goals"]]
        caps_through.objects.bulk_create(caps_rows, batch_size=BATCH)
        goals_through.objects.bulk_create(goal_rows, batch_size=BATCH)
        return profiles

    def _diagnostics(self, population, profiles) -> dict[int, DiagnosticResult]:
        """The simulated maturity as a diagnostic result (scores only: demo merchants answered no question), at
        the simulated time, for the merchants who took it; returns them by merchant index."""
        questionnaire = DiagnosticQuestionnaire.objects.prefetch_related("bands").order_by("id").first()
        if questionnaire is None:
            return {}
        bands = sorted(questionnaire.bands.all(), key=lambda band: band.min_score)
        results, indices = [], []
        now = timezone.now()
        for index, (profile, record) in enumerate(zip(profiles, population.merchants, strict=True)):
            if not record["maturity"]:
                continue
            indices.append(index)
            scores = {theme: round(100 * value) for theme, value in record["maturity"].items()}
            overall = round(sum(scores.values()) / max(len(scores), 1))
            band = next((b for b in reversed(bands) if overall >= b.min_score), bands[0]) if bands else None
            results.append(
                DiagnosticResult(
                    merchant=profile,
                    questionnaire=questionnaire,
                    questionnaire_slug=questionnaire.slug,
                    answers={},
                    theme_scores=scores,
                    overall_score=overall,
                    band_slug=band.slug if band else "",
                    band_label=band.label if band else "",
                    capabilities_detected=[
                        o["capability"] for o in record.get("capability_origins", ()) if o["source"] == "detected"
                    ],
                    created_at=_moment(record.get("diagnosed_at"), now),
                )
            )
        created = DiagnosticResult.objects.bulk_create(results, batch_size=BATCH)
        return dict(zip(indices, created, strict=True))

    def _capability_origins(self, population, profiles, diagnostics, modules):
        """Where each capability of the demo profiles comes from (declared, detected, acquired), as the platform
        records it for real merchants."""
        capabilities = dict(Capability.objects.values_list("slug", "pk"))
        by_slug = {module.slug: module for module in modules}
        now = timezone.now()
        rows = []
        for index, (profile, record) in enumerate(zip(profiles, population.merchants, strict=True)):
            for origin in record.get("capability_origins", ()):
                module = by_slug.get(origin["module"]) if origin["module"] else None
                rows.append(
                    CapabilityOrigin(
                        merchant=profile,
                        capability_id=capabilities[origin["capability"]],
                        source=origin["source"],
                        since=_moment(origin["since"], now),
                        diagnostic=diagnostics.get(index) if origin["source"] == "detected" else None,
                        module=module,
                        module_slug=module.slug if module else "",
                    )
                )
        CapabilityOrigin.objects.bulk_create(rows, batch_size=BATCH)

    def _events(self, population, profiles, modules, seed, now, no_progress) -> int:
        steps = [max(step_count(module), 1) for module in modules]
        rows = []
        for n, event in enumerate(tqdm(population.events, desc="Events", disable=no_progress)):
            module = modules[int(event["item"])]
            kind = str(event["kind"])
            value = None
            if kind == "rated":
                value = int(event["value"])
            elif kind == "step_completed":
                value = min(int(event["value"]) - 1, steps[int(event["item"])] - 1)
            occurred_at = min(datetime.fromtimestamp(float(event["occurred_at"]), tz=UTC), now)
            event_id = demo_event_id(seed, n)
            payload = EventInput(event_id=event_id, module=module.slug, kind=kind, value=value, occurred_at=occurred_at)
            rows.append(
                EngagementEvent(
                    merchant=profiles[int(event["user"])],
                    module=module,
                    module_slug=module.slug,
                    kind=kind,
                    value=value,
                    occurred_at=occurred_at,
                    received_at=occurred_at,
                    event_id=event_id,
                    payload_fingerprint=payload.fingerprint(),
                )
            )
        EngagementEvent.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
        return len(rows)
