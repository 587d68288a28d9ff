"""The API over a real socket, as a browser-side frontend calls it (CORS, ETag revalidation)."""

import pytest
import requests
from django.core.cache import cache
from django.test import override_settings

from cms.models import ModulePage

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_catalogue"),
]


@override_settings(CORS_ALLOWED_ORIGINS=["https://app.eleasud.example"])
def test_frontend_lists_filters_and_revalidates_over_http(live_server):
    url = f"{live_server.url}/api/v1/modules/"
    origin = {"Origin": "https://app.eleasud.example"}
    response = requests.get(url, params={"theme": "se-proteger"}, headers=origin, timeout=10)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "https://app.eleasud.example"
    body = response.json()
    assert body["count"] == ModulePage.objects.live().filter(theme__slug="se-proteger").count() > 0

    revalidated = requests.get(
        url, params={"theme": "se-proteger"}, headers={**origin, "If-None-Match": response.headers["ETag"]}, timeout=10
    )
    assert revalidated.status_code == 304 and revalidated.content == b""

    bad = requests.get(url, params={"level": "expert-absolu"}, timeout=10)
    assert bad.status_code == 400 and "level" in bad.json()["error"]["fields"]

    foreign = requests.get(url, headers={"Origin": "https://evil.example"}, timeout=10)
    assert "Access-Control-Allow-Origin" not in foreign.headers
    cache.clear()
