import pytest
from django.core.management import call_command
from django.db import transaction


@pytest.fixture(scope="module")
def demo_population(django_db_setup, django_db_blocker):
    """120 simulated demo merchants over the real catalogue, with places, past diagnostics and help requests:
    seeded once per module inside a transaction rolled back at the module's end (each test's own changes
    are rolled back sooner, by pytest-django)."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo_merchants", merchants=120, seed=7, no_progress=True, verbosity=0)
        yield
        transaction.set_rollback(True)
