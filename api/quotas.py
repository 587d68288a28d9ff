"""Per-merchant quotas: how much one account may do per endpoint in a window, whatever its number of devices
or addresses. Beyond it, 429 `quota_exceeded` with `Retry-After` (the API's one error shape).

A quota counts units, not requests: the events endpoint counts events (a batch of 500 is 500), so batching
does not dodge it. Counters are fixed windows in the shared cache (`cache.add` + `cache.incr`, atomic on
Redis). While Redis is unreachable quotas are not enforced (they fail open: they protect the staff's queue
and the editors' figures from floods, not accounts from guessing, which the sign-in throttles do).
Limits come from `settings.MERCHANT_QUOTAS` ({scope: "count/period"}), so operations can tune them.
"""

import time

from django.conf import settings
from django.core.cache import cache
from rest_framework import exceptions

PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


class QuotaExceeded(exceptions.Throttled):
    default_code = "quota_exceeded"
    default_detail = "Vous avez atteint la limite autorisée pour cette action."
    extra_detail_singular = extra_detail_plural = "Réessayez dans {wait} seconde(s)."

    def __init__(self, wait):
        super().__init__(wait=wait, detail=f"{self.default_detail} Réessayez dans {int(wait)} seconde(s).")
        self.detail.code = self.default_code


def parse_quota(value: str) -> tuple[int, int]:
    """ "50/hour" → (50, 3600)."""
    count, _, period = value.partition("/")
    return int(count), PERIODS[period]


def charge(*, scope: str, merchant_id: int, units: int = 1) -> None:
    """Counts `units` against the merchant's quota for `scope`; raises QuotaExceeded when it would go over."""
    limit, period = parse_quota(settings.MERCHANT_QUOTAS[scope])
    now = time.time()
    window = int(now // period)
    key = f"quota:{scope}:{merchant_id}:{window}"
    cache.add(key, 0, timeout=period + 1)
    used = cache.incr(key, units) if units else cache.get(key, 0)
    if used is None:  # the cache is unreachable: fail open (see the module docstring)
        return
    if used > limit:
        cache.decr(key, units)  # a refused request uses nothing
        raise QuotaExceeded(wait=max(1, int((window + 1) * period - now) + 1))


class MerchantQuota:
    """A DRF throttle that charges one unit per request of the listed methods (the view may charge more)."""

    scope: str = ""
    methods = frozenset({"POST"})

    def allow_request(self, request, view):
        if request.method in self.methods and getattr(request.user, "pk", None):
            charge(scope=self.scope, merchant_id=request.user.pk, units=self.units(request))
        return True

    def units(self, request) -> int:
        return 1

    def wait(self):  # pragma: no cover - allow_request never refuses; charge() raises with its own wait
        return None


class HelpRequestQuota(MerchantQuota):
    scope = "help_requests"


class EventQuota(MerchantQuota):
    """Counts the events of a batch (an object counts one)."""

    scope = "events"

    def units(self, request) -> int:
        data = request.data
        return len(data) if isinstance(data, list) else 1


class RecommendationQuota(MerchantQuota):
    scope = "recommendations"
    methods = frozenset({"GET"})
