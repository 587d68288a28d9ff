"""HTTP caching of published content: a strong ETag over the response body and a short public
max-age, so frontends and proxies revalidate cheaply (304 without a body)."""

import hashlib

from django.conf import settings
from django.http import HttpResponseNotModified
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags


class CachedContentMixin:
    """For read-only views of published content: ETag, Cache-Control, and 304 on If-None-Match."""

    cache_max_age: int | None = None

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        response.render()
        etag = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
        max_age = settings.API_CACHE_MAX_AGE if self.cache_max_age is None else self.cache_max_age
        if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
        if if_none_match and (etag in parse_etags(if_none_match) or if_none_match.strip() == "*"):
            not_modified = HttpResponseNotModified()
            not_modified["ETag"] = etag
            patch_cache_control(not_modified, public=True, max_age=max_age)
            return not_modified
        response["ETag"] = etag
        patch_cache_control(response, public=True, max_age=max_age)
        patch_vary_headers(response, ["Accept-Language"])
        return response
