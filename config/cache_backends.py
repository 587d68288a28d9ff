"""The shared cache (Redis) as an optimisation that may fail: a lost Redis degrades speed, never a read.

`FailSoftRedisCache` is django-redis with its IGNORE_EXCEPTIONS behaviour always on (a failed `get` is a
miss, a failed `set` is dropped, so every read path falls through to the database), plus what an outage
needs on top of it:

- **one warning per outage**, not one per request (and one line when Redis is back);
- **a circuit breaker**: after a failure, Redis is not tried again for `CIRCUIT_SECONDS`, so an unreachable
  host (a timeout, not a refused connection) costs one timeout per few seconds per process, not one per call;
- `health()` for /readyz, which pings Redis itself (ignoring the breaker) and reports "degraded".

Throttles that must keep working without Redis (sign-in, registration, password) use
`FailoverCache`, which moves to a per-process in-memory cache while Redis is unavailable.
"""

import logging
import sys
import threading
import time

from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted

logger = logging.getLogger("eleasud.cache")

CIRCUIT_SECONDS = 5.0


class _OutageReporter:
    """Receives django-redis's "Exception ignored" calls (made inside its `except` block) and turns them into
    the breaker's state and one warning per outage."""

    def __init__(self, cache: "FailSoftRedisCache"):
        self.cache = cache

    def exception(self, msg, *args, **kwargs):
        self.cache._record_failure(sys.exc_info()[1])


class _WatchedClient:
    """The django-redis client during an outage: the first call that returns tells the cache Redis is back."""

    def __init__(self, client, cache: "FailSoftRedisCache"):
        self._client = client
        self._cache = cache

    ROUND_TRIPS = frozenset(
        {"get", "set", "add", "delete", "delete_many", "get_many", "set_many", "has_key", "incr", "decr", "touch"}
    )

    def __getattr__(self, name):
        attribute = getattr(self._client, name)
        if name not in self.ROUND_TRIPS:
            return attribute

        def call(*args, **kwargs):
            result = attribute(*args, **kwargs)
            self._cache._record_success()
            return result

        return call


class FailSoftRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._ignore_exceptions = True
        self._log_ignored_exceptions = True
        self.logger = _OutageReporter(self)
        self.circuit_seconds = float(params.get("OPTIONS", {}).get("CIRCUIT_SECONDS", CIRCUIT_SECONDS))
        self._state_lock = threading.Lock()
        self._open_until = 0.0  # monotonic time before which Redis is not tried
        self._in_outage = False

    @property
    def client(self):
        if time.monotonic() < self._open_until:
            raise ConnectionInterrupted(connection=None)  # django-redis answers it as a miss / a dropped write
        client = super().client
        return _WatchedClient(client, self) if self._in_outage else client

    def _record_success(self) -> None:
        with self._state_lock:
            if not self._in_outage:
                return
            self._in_outage = False
        logger.warning("cache (Redis) reachable again: caching and shared throttling resume")

    def _record_failure(self, error) -> None:
        with self._state_lock:
            self._open_until = time.monotonic() + self.circuit_seconds
            if self._in_outage:
                return
            self._in_outage = True
        cause = getattr(error, "__cause__", None) or error
        logger.warning(
            "cache (Redis) unreachable: serving from the database, throttling falls back (retrying every %.0f s): %s",
            self.circuit_seconds,
            cause.__class__.__name__ if cause else "unknown error",
        )

    @property
    def available(self) -> bool:
        """False while the breaker is open (a failure in the last `circuit_seconds`)."""
        return time.monotonic() >= self._open_until

    def health(self) -> dict:
        """A real round trip, whatever the breaker says (for /readyz)."""
        try:
            super().client.get_client().ping()
        except Exception as error:  # noqa: BLE001 - any failure to reach Redis is "degraded"
            self._record_failure(error)
            return {"ok": True, "degraded": True, "backend": "redis", "error": error.__class__.__name__}
        self._open_until = 0.0
        self._record_success()
        return {"ok": True, "degraded": False, "backend": "redis"}


def cache_health(alias: str = "default") -> dict:
    """What /readyz reports about a cache: never "not ok" (a lost cache only makes reads slower)."""
    cache = caches[alias]
    if hasattr(cache, "health"):
        return cache.health()
    return {"ok": True, "degraded": False, "backend": cache.__class__.__name__}


class FailoverCache:
    """The subset of the cache API DRF's throttles use (`get`, `set`), on the shared cache while it answers
    and on a per-process in-memory cache while it does not. Counts restart at a switch: during an outage each
    worker process throttles on its own (N processes allow N × the rate), which is still a limit."""

    _local = LocMemCache("eleasud-throttle-fallback", {"MAX_ENTRIES": 10_000})

    def __init__(self, alias: str = "default"):
        self.alias = alias

    def _primary(self):
        return caches[self.alias]

    def get(self, key, default=None):
        primary = self._primary()
        if getattr(primary, "available", True):
            value = primary.get(key, default)
            if getattr(primary, "available", True):
                return value
        return self._local.get(key, default)

    def set(self, key, value, timeout=None):
        primary = self._primary()
        if getattr(primary, "available", True):
            primary.set(key, value, timeout)
            if getattr(primary, "available", True):
                return
        self._local.set(key, value, timeout)
