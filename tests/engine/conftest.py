"""Engine tests: pure numpy/scipy/scikit-learn, no database.

Run alone with ``pytest tests/engine -p no:django``. Under the full suite, pytest-django is active:
the autouse fixture below keeps the database blocked for every engine test, so one that touched it
would fail loudly instead of silently depending on Django.
"""

import numpy as np
import pytest

from recommender.engine.simulate import simulate_population


@pytest.fixture(autouse=True)
def _no_database(request):
    if request.config.pluginmanager.hasplugin("django"):
        blocker = request.getfixturevalue("django_db_blocker")
        with blocker.block():
            yield
    else:
        yield


@pytest.fixture(scope="session")
def small_population():
    """A small simulated population shared by the tests that need realistic data."""
    return simulate_population(300, n_items=20, seed=7)


@pytest.fixture(scope="session")
def small_interactions(small_population):
    X, dismissed = small_population.interactions()
    return X, dismissed


@pytest.fixture
def rng():
    return np.random.default_rng(0)
