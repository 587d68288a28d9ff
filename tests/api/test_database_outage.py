"""Losing PostgreSQL: JSON 503s with Retry-After (never an HTML 500), /readyz 503 while /healthz stays up,
recovery on the next request once the database answers (no restart), and no acknowledged event lost.

The application talks to PostgreSQL through a TCP proxy the test cuts and restores (tests/faults.py), over
real HTTP to the live server, whose request threads open their own connections as production workers do.
"""

import uuid

import pytest
import requests
from django.db import connection, connections

from merchants import services
from merchants.models import EngagementEvent, MerchantProfile
from tests.faults import TCPProxy

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (CI runs it)"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_catalogue"),
]


@pytest.fixture
def database_behind_proxy():
    """Every new connection of the process goes through a proxy to the real server, until the test ends."""
    settings = connections.settings["default"]
    original = settings["HOST"], settings["PORT"]
    with TCPProxy(settings["HOST"] or "127.0.0.1", int(settings["PORT"] or 5432)) as proxy:
        connections.close_all()
        settings["HOST"], settings["PORT"] = "127.0.0.1", str(proxy.port)
        try:
            yield proxy
        finally:
            proxy.restore()
            connections.close_all()
            settings["HOST"], settings["PORT"] = original
            connections.close_all()


def events(n: int) -> list[dict]:
    return [{"event_id": str(uuid.uuid4()), "module": "creer-sa-fiche-google", "kind": "viewed"} for _ in range(n)]


def assert_json_503(response):
    assert response.status_code == 503, response.text[:300]
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "service_unavailable"
    assert int(response.headers["Retry-After"]) > 0


def test_a_database_outage_answers_json_503_and_recovers_without_a_restart(live_server, database_behind_proxy):
    tokens = services.register_merchant(
        email="outage@exemple.fr", password="Sardines-du-Vieux-Port-2026", personalisation_consent=True
    )
    merchant = MerchantProfile.objects.get(user__username="outage@exemple.fr")
    headers = {"Authorization": f"Bearer {tokens.access}"}
    api = f"{live_server.url}/api/v1"
    acknowledged = set()

    first = events(20)
    response = requests.post(f"{api}/me/events/", json=first, headers=headers, timeout=10)
    assert response.status_code == 200
    acknowledged |= {r["event_id"] for r in response.json()["results"] if r["status"] in ("created", "duplicate")}
    assert len(acknowledged) == 20

    connections.close_all()
    database_behind_proxy.cut()
    during = events(20)
    for method, path, body in [
        ("get", f"{api}/modules/?q=site", None),
        ("get", f"{api}/me/profile/", None),
        ("get", f"{api}/me/recommendations/", None),
        ("post", f"{api}/me/events/", during),
        ("post", f"{api}/auth/login/", {"email": "outage@exemple.fr", "password": "x" * 12}),
        ("get", f"{api}/nope/", None),  # Wagtail's redirect middleware looks 404s up in the database
    ]:
        assert_json_503(requests.request(method, path, json=body, headers=headers, timeout=10))
    ready = requests.get(f"{live_server.url}/readyz", timeout=10)
    assert ready.status_code == 503 and ready.json()["checks"]["database"]["ok"] is False
    assert requests.get(f"{live_server.url}/healthz", timeout=10).status_code == 200

    database_behind_proxy.restore()
    assert requests.get(f"{live_server.url}/readyz", timeout=10).status_code == 200
    assert requests.get(f"{api}/modules/?q=site", timeout=10).status_code == 200
    response = requests.post(f"{api}/me/events/", json=first + during, headers=headers, timeout=10)  # the retry
    assert response.status_code == 200
    statuses = {r["event_id"]: r["status"] for r in response.json()["results"]}
    assert {statuses[e["event_id"]] for e in first} == {"duplicate"}
    assert {statuses[e["event_id"]] for e in during} == {"created"}

    stored = {str(i) for i in EngagementEvent.objects.filter(merchant=merchant).values_list("event_id", flat=True)}
    assert acknowledged <= stored and len(stored) == 40
