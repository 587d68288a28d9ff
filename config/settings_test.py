"""Test overrides: plain HTTP, fast hashing, no manifest for static files.

Everything else (database, cache) still comes from the environment, so CI runs the same suite
against PostgreSQL and Redis by setting DATABASE_URL and REDIS_URL.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-0123456789abcdef")
# pytest-xdist workers share one Redis database: each keeps its own key prefix (tests/conftest.py makes
# cache.clear() delete only those keys). pytest-django already gives each worker its own test database.
os.environ["CACHE_KEY_PREFIX"] = f"{os.environ.get('CACHE_KEY_PREFIX', 'eleasud')}-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"

from config.settings import *  # noqa: E402,F403
from config.settings import STORAGES  # noqa: E402

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
ALLOWED_HOSTS = ["*"]
WAGTAILADMIN_BASE_URL = "http://testserver"
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute"}}  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - whitenoise warns when it is missing
# Live-server request threads must not keep connections open past the test (PostgreSQL would then
# refuse to drop the test database at the end of the run).
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
