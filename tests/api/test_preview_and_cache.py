"""Draft previews for editors through Wagtail's API v2, and the shared cache behind throttling."""

import os

import pytest
from django.conf import settings

from cms.models import ModulePage

pytestmark = pytest.mark.django_db


def test_a_draft_preview_serves_unpublished_changes_to_the_frontend(api_client):
    page = ModulePage.objects.get(slug="rgpd-les-bases").get_latest_revision_as_object()
    page.title = "RGPD : les bases (brouillon)"
    preview = page.create_page_preview()

    response = api_client.get("/api/v2/page_preview/", {"content_type": "cms.modulepage", "token": preview.token})
    assert response.status_code == 200
    assert response.json()["title"] == "RGPD : les bases (brouillon)"
    assert any(block["type"] == "step" for block in response.json()["body"])
    # the published module is untouched
    assert api_client.get("/api/v1/modules/rgpd-les-bases/").json()["title"] != page.title


def test_a_forged_preview_token_is_refused(api_client):
    response = api_client.get("/api/v2/page_preview/", {"content_type": "cms.modulepage", "token": "id=1:forged"})
    assert response.status_code == 404


def test_the_admin_preview_leads_editors_to_the_frontend_preview_route(rf, django_user_model):
    editor = django_user_model.objects.create_superuser("edith", "edith@example.org", "x" * 12)
    request = rf.get("/admin/")
    request.user = editor
    page = ModulePage.objects.get(slug="rgpd-les-bases").get_latest_revision_as_object()
    page.title = "Brouillon en cours"

    response = page.serve_preview(request, "")

    html = response.content.decode()
    assert settings.HEADLESS_PREVIEW_CLIENT_URL + "?content_type=cms.modulepage&amp;token=" in html


def test_anonymous_clients_are_throttled_through_the_shared_cache(api_client, anon_rate_limit):
    anon_rate_limit("3/minute")
    codes = [api_client.get("/api/v1/themes/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    if os.environ.get("REDIS_URL"):
        from django.core.cache import cache

        assert cache.keys("throttle_anon*")  # this process's key prefix only (xdist workers share Redis)
