"""What the shared render cache and the ETag must never get wrong."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cms.models import DiagnosticQuestion, ModulePage
from cms.selectors import catalogue_version

pytestmark = pytest.mark.django_db


def rendered_entries() -> int:
    """How many rendered responses the shared cache holds, on locmem (local runs) or Redis (CI)."""
    if hasattr(cache, "keys"):  # django-redis
        return len(cache.keys("*api:rendered:*"))  # this process's key prefix only (xdist workers share Redis)
    return sum(1 for key in cache._cache if "api:rendered:" in key)


def test_editing_the_diagnostic_changes_the_etag_and_the_answer(api_client):
    first = api_client.get("/api/v1/diagnostic/")
    question = DiagnosticQuestion.objects.order_by("sort_order").first()
    answer = question.answers.first()
    answer.label = "Réponse reformulée par l'équipe"
    answer.save()
    question.save()  # the admin saves a question with its answers

    again = api_client.get("/api/v1/diagnostic/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert "Réponse reformulée par l'équipe" in again.content.decode()


def test_a_boost_starting_changes_the_catalogue_version():
    module = ModulePage.objects.get(slug="rgpd-les-bases")
    starts = timezone.now() + timedelta(hours=1)
    ModulePage.objects.filter(pk=module.pk).update(boost_weight=0.5, boost_starts_at=starts, boost_ends_at=None)
    before = catalogue_version(now=starts - timedelta(minutes=1))
    after = catalogue_version(now=starts + timedelta(minutes=1))
    assert before != after


def test_responses_are_cached_per_host(api_client):
    first = api_client.get("/api/v1/modules/creer-sa-fiche-google/", HTTP_HOST="a.example")
    second = api_client.get("/api/v1/modules/creer-sa-fiche-google/", HTTP_HOST="b.example")
    assert "http://a.example/" in first.content.decode()
    assert "http://b.example/" in second.content.decode() and "a.example" not in second.content.decode()


def test_unknown_query_parameters_are_answered_but_not_stored(api_client):
    cache.clear()
    api_client.get("/api/v1/modules/", {"theme": "se-proteger"})
    stored = rendered_entries()
    for n in range(5):
        assert api_client.get("/api/v1/modules/", {"theme": "se-proteger", "x": n}).status_code == 200
    assert rendered_entries() == stored == 1


def test_preview_of_a_content_type_without_preview_is_a_404(api_client):
    for content_type in ("auth.user", "cms.theme"):
        response = api_client.get("/api/v2/page_preview/", {"content_type": content_type, "token": "x"})
        assert response.status_code == 404


def test_module_detail_queries_do_not_grow_with_related_modules(api_client):
    def queries_for(slug):
        cache.clear()  # measure a real render, not the shared cache
        with CaptureQueriesContext(connection) as queries:
            response = api_client.get(f"/api/v1/modules/{slug}/")
        return len(queries.captured_queries), len(response.json()["related"])

    results = [queries_for(m.slug) for m in ModulePage.objects.live()]
    related_counts = {related for _, related in results}
    assert len(related_counts) > 1  # modules with different numbers of related modules were measured
    assert len({count for count, related in results if related}) == 1


def test_a_forged_forwarded_for_header_does_not_dodge_throttling(api_client, anon_rate_limit):
    anon_rate_limit("3/minute")
    codes = [api_client.get("/api/v1/themes/", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code for n in range(4)]
    assert codes == [200, 200, 200, 429]
