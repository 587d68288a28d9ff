"""Serves the reference client (frontend/): one static page answers every route of the single-page app."""

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_safe

# The reference client (frontend/): one static page answers every route of the single-page app; its
# JS and CSS are static files (/static/client/…, whitenoise in production). The policy allows this
# origin's scripts only, so nothing injected into a page (an inline handler, a foreign script) runs.
CLIENT_INDEX = settings.BASE_DIR / "frontend" / "index.html"
# The students' and school referents' space: a separate small client, same conventions and policy.
ESPACE_INDEX = settings.BASE_DIR / "frontend" / "espace" / "index.html"
CLIENT_CSP = (
    "default-src 'self'; img-src 'self' data: https:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors {ancestors}"
)


def _single_page(index):
    response = HttpResponse(index.read_bytes(), content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-cache"  # always revalidated: a deploy shows at the next visit
    response["Content-Security-Policy"] = CLIENT_CSP.format(ancestors="'none'")
    return response


@require_safe
def client(request, route=""):
    return _single_page(CLIENT_INDEX)


@require_safe
def espace_client(request, route=""):
    response = _single_page(ESPACE_INDEX)
    response["X-Robots-Tag"] = "noindex"
    return response


@xframe_options_sameorigin  # the admin shows the preview in a frame of its own page
def client_preview(request):
    response = client(request)
    response["Content-Security-Policy"] = CLIENT_CSP.format(ancestors="'self'")
    response["X-Robots-Tag"] = "noindex"
    return response
