"""Recommender tests: a small simulated population seeded and a first model trained once for the package
(inside a package-wide transaction rolled back at the end), artifacts in a temporary folder, merchants signed
in through APIClient."""

import itertools
import shutil
import tempfile
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from rest_framework.test import APIClient

from cms.models import Capability, Goal, Sector
from merchants import services as merchant_services
from merchants.models import MerchantProfile
from recommender import serving
from recommender.models import ModelVersion

PASSWORD = "Calanques-de-Sormiou-2026"
RECOMMENDATIONS = "/api/v1/me/recommendations/"
_numbers = itertools.count(1)


@pytest.fixture(scope="package")
def artifact_root():
    root = tempfile.mkdtemp(prefix="eleasud-artifacts-")
    with override_settings(MEDIA_ROOT=root):
        yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="package")
def trained_model(django_db_setup, django_db_blocker, artifact_root):
    """150 demo merchants (seed 3) and an active hybrid trained on them, for the whole package.

    They live in a transaction opened for the package and rolled back at its end, like Django's
    `setUpTestData`: each test's own transaction is a savepoint inside it, and the clean-up is instant (deleting
    150 merchants one by one through the erasure guard took most of a minute). Tests that commit (live server,
    threads, `transaction=True`) cannot see these rows: give them their own data.
    """
    with django_db_blocker.unblock():
        package_transaction = transaction.atomic()
        package_transaction.__enter__()
        package_transaction._from_testcase = True  # nested durable blocks behave as under Django's TestCase
        try:
            call_command("seed_demo_merchants", "--merchants", "150", "--seed", "3", "--no-progress", verbosity=0)
            call_command("train_recommender", "--no-progress", verbosity=0)
            version = ModelVersion.objects.get(status=ModelVersion.Status.ACTIVE)
            yield version
        finally:
            transaction.set_rollback(True)
            package_transaction.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _fresh_worker(artifact_root):
    """Each test starts like a fresh worker process: nothing loaded, nothing cached."""
    serving.reset_process_cache()
    yield
    serving.reset_process_cache()


@pytest.fixture
def no_exploration(settings):
    settings.RECOMMENDER = {**settings.RECOMMENDER, "EXPLORATION_EPSILON": 0.0}


@dataclass
class SignedInMerchant:
    profile: MerchantProfile
    client: APIClient

    def recommendations(self, **params):
        return self.client.get(RECOMMENDATIONS, params)

    def post_event(self, module: str, kind: str, **fields):
        import uuid

        payload = {"event_id": str(uuid.uuid4()), "module": module, "kind": kind, **fields}
        response = self.client.post("/api/v1/me/events/", payload, format="json")
        assert response.status_code == 201, response.content
        return response


@pytest.fixture
def make_merchant(db):
    def make(*, consent=True, sector="restauration", capabilities=(), goals=("etre-trouve",), size_band="2-5"):
        email = f"resto{next(_numbers)}@exemple.fr"
        tokens = merchant_services.register_merchant(email=email, password=PASSWORD, personalisation_consent=consent)
        profile = MerchantProfile.objects.get(user__username=email)
        merchant_services.update_profile(
            merchant=profile,
            sector=Sector.objects.get(slug=sector),
            size_band=size_band,
            capabilities=list(Capability.objects.filter(slug__in=capabilities)),
            goals=list(Goal.objects.filter(slug__in=goals)),
        )
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens.access}")
        return SignedInMerchant(profile=profile, client=client)

    return make
