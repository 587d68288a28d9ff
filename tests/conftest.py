"""Shared test set-up: the real starter catalogue is loaded once per test session.

With REQUIRE_SERVICES=true (CI's second run) PostgreSQL and Redis must be the stores in use and
reachable: the session fails at once otherwise, it never skips.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

CONTENT_ROOT = Path(settings.BASE_DIR) / "content_fixtures"


def pytest_sessionstart(session):
    if os.environ.get("REQUIRE_SERVICES") != "true":
        return
    import psycopg
    import redis

    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith("postgres") or not redis_url.startswith("redis"):
        pytest.exit("REQUIRE_SERVICES=true needs DATABASE_URL (postgres://) and REDIS_URL (redis://)", returncode=3)
    try:
        # the server, not the database: pytest-django creates test_<name> itself
        server_url = database_url.replace("postgres://", "postgresql://", 1).rsplit("/", 1)[0] + "/postgres"
        psycopg.connect(server_url, connect_timeout=5).close()
        redis.Redis.from_url(redis_url, socket_connect_timeout=5).ping()
    except Exception as error:  # noqa: BLE001 - any failure to reach a service ends the run
        pytest.exit(f"A required service is unreachable: {error}", returncode=3)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_content", str(CONTENT_ROOT), "--no-progress", verbosity=0)
        _catalogue_snapshot.take()
    yield
    _end_stray_sessions(django_db_blocker)


class CatalogueSnapshot:
    """The committed starter catalogue, copied once per test process: a `transaction=True` test ends by putting
    it back (instead of Django's flush, which left the next one an empty database to load the content files
    into again, seconds each time; TRUNCATE of every table alone took seconds on PostgreSQL).

    PostgreSQL: each of Django's tables, copied out with COPY (exact types), emptied and copied back in one
    transaction (foreign keys are checked at its commit). SQLite (in memory): sqlite3's backup API.
    """

    def __init__(self):
        self.tables: dict[str, bytes] = {}
        self.sqlite_copy = None

    def take(self):
        from django.db import connection

        if connection.vendor == "sqlite":
            import sqlite3

            connection.ensure_connection()
            self.sqlite_copy = sqlite3.connect(":memory:", check_same_thread=False)
            connection.connection.backup(self.sqlite_copy)
            return
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            for table in connection.introspection.django_table_names(only_existing=True, include_views=False):
                with cursor.cursor.copy(f"COPY {quote(table)} TO STDOUT") as copy:
                    self.tables[table] = b"".join(bytes(block) for block in copy)

    def restore(self):
        from django.apps import apps
        from django.contrib.contenttypes.models import ContentType
        from django.core.cache import cache
        from django.core.management.color import no_style
        from django.db import connection, transaction

        if connection.vendor == "sqlite":
            connection.ensure_connection()
            self.sqlite_copy.backup(connection.connection)
        else:
            quote = connection.ops.quote_name
            with transaction.atomic(), connection.cursor() as cursor:
                # DELETE, not TRUNCATE: the tables hold a few rows each, and TRUNCATE rewrites every file
                cursor.execute(";".join(f"DELETE FROM {quote(table)}" for table in self.tables))
                for table, data in self.tables.items():
                    if data:
                        with cursor.cursor.copy(f"COPY {quote(table)} FROM STDIN") as copy:
                            copy.write(data)
                models = [m for m in apps.get_models(include_auto_created=True) if m._meta.db_table in self.tables]
                cursor.execute("\n".join(connection.ops.sequence_reset_sql(no_style(), models)))
        ContentType.objects.clear_cache()
        cache.clear()


_catalogue_snapshot = CatalogueSnapshot()


def _restore_instead_of_flush(self):
    """TransactionTestCase's teardown (pytest-django's `transaction=True`, `live_server`): back to the
    session's committed catalogue rather than an empty database."""
    for alias in self._databases_names(include_mirrors=False):
        if alias != "default":
            call_command("flush", verbosity=0, interactive=False, database=alias, reset_sequences=False)
    _catalogue_snapshot.restore()


def _end_stray_sessions(django_db_blocker):
    """The session-wide live server outlives the tests; a browser's keep-alive request thread may still
    hold a connection, and PostgreSQL will not drop a database in use. End those sessions first."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


def pytest_configure(config):
    # xdist workers share one Redis database, each under its own key prefix (config/settings_test.py):
    # clearing the cache deletes this process's keys only, never the other worker's (FLUSHDB would).
    from django_redis.cache import RedisCache

    def clear_own_keys(self):
        return self.delete_pattern("*")

    RedisCache.clear = clear_own_keys

    from django.test import TransactionTestCase

    TransactionTestCase._fixture_teardown = _restore_instead_of_flush


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (shared Redis in CI), so none sees another's throttling."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def committed_catalogue(django_db_blocker):
    """The catalogue for tests that commit (live server, threads, browser). Every `transaction=True` test
    already ends by restoring the session's snapshot; this only makes the dependency explicit."""
    from cms.models import ModulePage

    with django_db_blocker.unblock():
        if not ModulePage.objects.exists():
            _catalogue_snapshot.restore()


@pytest.fixture
def anon_rate_limit(settings):
    """Sets the anonymous request rate for one test (DRF caches rates on the throttle class)."""
    from rest_framework.throttling import AnonRateThrottle

    original = AnonRateThrottle.THROTTLE_RATES

    def set_rate(rate: str):
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": rate}}
        AnonRateThrottle.THROTTLE_RATES = {"anon": rate}

    yield set_rate
    AnonRateThrottle.THROTTLE_RATES = original


@pytest.fixture
def run_task_worker(monkeypatch):
    """Run the real database task worker over everything queued so far, then return.

    Tasks (e-mail, notifications) are rows written in the test's transaction; the worker picks them up
    exactly as `manage.py db_worker` does in production. Pass max_tasks to run only that many.
    In production the worker has its own process and connection and closes it when it is stale; here it
    shares the test's connection, which is inside the test's transaction, so that one must stay open.
    """
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)

    def run(max_tasks: int | None = None) -> None:
        options = ["--backend", "background", "--queue-name", "*", "--batch", "--no-startup-delay", "--no-reload"]
        if max_tasks is not None:
            options += ["--max-tasks", str(max_tasks)]
        call_command("db_worker", *options, verbosity=0)

    return run
