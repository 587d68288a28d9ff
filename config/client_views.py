"""Serves the reference client (frontend/): one static page answers every route of the single-page app."""

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_safe

# The reference client (frontend/): one static page answers every route of the single-page app; its
# JS and CSS are static files (/static/client/…, whitenoise in production). The policy allows this
# origin's scripts only, so nothing injected into a page (an inline handler, a foreign script) runs.
CLIENT_INDEX = settings.BASE_DIR / "frontend" / "index.html"
CLIENT_CSP = (
    "default-src 'self'; img-src 'self' data: https:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors {ancestors}"
)


# Compressed: the page and the worker hold no secret, so compression leaks nothing (BREACH needs one).
@gzip_page
@require_safe
def client(request, route=""):
    response = HttpResponse(CLIENT_INDEX.read_bytes(), content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-cache"  # always revalidated: a deploy shows at the next visit
    response["Content-Security-Policy"] = CLIENT_CSP.format(ancestors="'none'")
    return response


CLIENT_DIR = settings.BASE_DIR / "frontend" / "client"


@gzip_page
@require_safe
def service_worker(request):
    """The service worker, at /app/sw.js so that its scope is the whole app (/app/). Always revalidated: a
    new version reaches phones at their next visit."""
    response = HttpResponse((CLIENT_DIR / "sw.js").read_bytes(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/app/"
    return response


@require_safe
def manifest(request):
    """The web app manifest (installability: name, icons, start URL, display standalone)."""
    response = HttpResponse(
        (CLIENT_DIR / "manifest.webmanifest").read_bytes(), content_type="application/manifest+json"
    )
    response["Cache-Control"] = "public, max-age=3600"
    return response


# The students' and school referents' space: a separate small client (frontend/espace/), same conventions.
ESPACE_INDEX = settings.BASE_DIR / "frontend" / "espace" / "index.html"


@gzip_page
@require_safe
def espace_client(request, route=""):
    response = HttpResponse(ESPACE_INDEX.read_bytes(), content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Content-Security-Policy"] = CLIENT_CSP.format(ancestors="'none'")
    response["X-Robots-Tag"] = "noindex"
    return response


@xframe_options_sameorigin  # the admin shows the preview in a frame of its own page
def client_preview(request):
    response = client(request)
    response["Content-Security-Policy"] = CLIENT_CSP.format(ancestors="'self'")
    response["X-Robots-Tag"] = "noindex"
    return response
