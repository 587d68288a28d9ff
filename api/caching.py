"""HTTP caching of published content.

The ETag of a catalogue response is derived from the catalogue's version and the request, so a
revalidation (`If-None-Match`) is answered 304 without rendering anything, and a full answer is rendered
once per catalogue version and then served from the shared cache (Redis in production). Clients and
proxies may reuse a response for `API_CACHE_MAX_AGE` seconds. Authentication, permissions and throttling
still run first, as for any request.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags

from cms.selectors import catalogue_version

RENDERED_TTL = 600  # seconds; a new catalogue version makes older entries unreachable anyway


class _AnsweredFromCache(Exception):
    def __init__(self, response):
        self.response = response


class CachedContentMixin:
    """For read-only DRF views of published content: ETag, Cache-Control, 304 and a shared render cache."""

    cache_max_age: int | None = None
    # Query parameters the view understands; a request with any other one is answered normally but not
    # stored, so junk parameters (`?x=<random>`) cannot fill the shared cache.
    cacheable_query_params: frozenset[str] = frozenset()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication, permissions, throttling
        if request.method not in ("GET", "HEAD"):
            return
        # The host is part of the key: responses hold absolute URLs built from it.
        key = "|".join(
            [
                catalogue_version(),
                self.cache_variant(),
                request.build_absolute_uri(),
                request.headers.get("Accept-Language", ""),
            ]
        )
        self.etag = f'"{hashlib.sha256(key.encode()).hexdigest()[:32]}"'
        self.store_rendered = set(request.query_params) <= self.cacheable_query_params
        if_none_match = request.headers.get("If-None-Match")
        if if_none_match and (self.etag in parse_etags(if_none_match) or if_none_match.strip() == "*"):
            raise _AnsweredFromCache(HttpResponseNotModified())
        if not self.store_rendered:
            return
        cached = cache.get(self._render_key)
        if cached is not None:
            content, content_type = cached
            raise _AnsweredFromCache(HttpResponse(content, content_type=content_type))

    def cache_variant(self) -> str:
        """What else the answer depends on besides the catalogue (e.g. a time bucket for aggregates)."""
        return ""

    @property
    def _render_key(self) -> str:
        return f"api:rendered:{self.etag}"

    def handle_exception(self, exc):
        if isinstance(exc, _AnsweredFromCache):
            return exc.response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        etag = getattr(self, "etag", None)
        if etag is None or response.status_code not in (200, 304):
            return response
        if response.status_code == 200 and hasattr(response, "render") and self.store_rendered:  # fresh render
            response.render()
            cache.set(self._render_key, (response.content, response["Content-Type"]), RENDERED_TTL)
        max_age = settings.API_CACHE_MAX_AGE if self.cache_max_age is None else self.cache_max_age
        response["ETag"] = etag
        patch_cache_control(response, public=True, max_age=max_age)
        patch_vary_headers(response, ["Accept-Language"])
        return response
