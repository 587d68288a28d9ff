"""SQL queries per request on the hot endpoints: a budget each, and lists that cost the same at any length.

The budgets are today's counts (docs/PERFORMANCE.md lists them with the load figures); a change that adds a
query per request, or one per row, fails here before it shows in a benchmark.
"""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from cms.models import ModulePage
from merchants import services

pytestmark = pytest.mark.django_db

MODULES = "/api/v1/modules/"
WAGTAIL_FIELDS = "summary,level,theme,target_sectors,goals,capabilities_required,capabilities_built,sources"


@pytest.fixture
def merchant_client():
    tokens = services.register_merchant(
        email="epicerie.panier@exemple.fr", password="Sardines-du-Vieux-Port-2026", personalisation_consent=True
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens.access}")
    return client


def queries_of(call) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code in (200, 201, 304), response.content
    return [query["sql"] for query in captured.captured_queries]


def test_a_cached_module_list_and_its_revalidation_cost_one_query(api_client, django_assert_max_num_queries):
    first = api_client.get(MODULES)
    with django_assert_max_num_queries(1):  # the content version; the body comes from the shared cache
        assert api_client.get(MODULES).status_code == 200
    with django_assert_max_num_queries(1):
        assert api_client.get(MODULES, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_rendering_the_module_list_and_a_module_stays_within_budget(api_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        assert api_client.get(MODULES).status_code == 200
    slug = ModulePage.objects.live().order_by("path").first().slug
    with django_assert_max_num_queries(15):
        assert api_client.get(f"{MODULES}{slug}/").status_code == 200
    with django_assert_max_num_queries(1):
        assert api_client.get(f"{MODULES}{slug}/").status_code == 200


def test_a_merchant_is_authenticated_in_one_query(merchant_client):
    sql = queries_of(lambda: merchant_client.get("/api/v1/me/profile/"))
    assert len(sql) <= 4  # the session with its user (1), then the profile with its sector, capabilities, goals
    assert sum('FROM "merchants_merchantsession"' in query for query in sql) == 1
    # groups and the admin permission are read inside the session query, not one query each
    separate = [
        q for q in sql if ("auth_group" in q or "auth_permission" in q) and "merchants_merchantsession" not in q
    ]
    assert separate == []


def test_an_event_batch_costs_the_same_queries_for_one_event_or_fifty(merchant_client):
    def batch(size):
        events = [
            {"event_id": str(uuid.uuid4()), "module": "creer-sa-fiche-google", "kind": "viewed"} for _ in range(size)
        ]
        return lambda: merchant_client.post("/api/v1/me/events/", events, format="json")

    one, fifty = len(queries_of(batch(1))), len(queries_of(batch(50)))
    assert fifty == one <= 8


def test_wagtails_page_listing_reads_module_relations_once_not_per_page(api_client):
    def listing(limit):
        params = {"type": "cms.ModulePage", "fields": WAGTAIL_FIELDS, "limit": limit}
        return lambda: api_client.get("/api/v2/pages/", params)

    listing(1)()  # the first request of a process also reads the site (then cached)
    five, twenty = len(queries_of(listing(5))), len(queries_of(listing(20)))
    assert twenty == five <= 11  # 126 for twenty modules before the prefetch
