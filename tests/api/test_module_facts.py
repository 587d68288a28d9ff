"""A module's « En bref », its sources and its dated facts reach API clients as plain typed JSON."""

import pytest

pytestmark = pytest.mark.django_db


def test_module_detail_serves_en_bref_sources_and_facts_citing_them(api_client):
    body = api_client.get("/api/v1/modules/facturation-electronique-recevoir/").json()
    assert len(body["en_bref"]) == 3 and all(isinstance(line, str) for line in body["en_bref"])
    sources = {source["key"]: source for source in body["sources"]}
    assert sources["sp-sanctions-fe"]["url"] == "https://entreprendre.service-public.gouv.fr/actualites/A18802"
    assert sources["sp-sanctions-fe"]["checked_on"] == "2026-11-30"
    facts = [block["value"] for block in body["body"] if block["type"] == "fact"]
    assert facts and all(set(fact["sources"]) <= set(sources) for fact in facts)
    assert any("1 000 €" in fact["text"] for fact in facts)
    assert body["facts_checked_on"] == "2026-11-30"


def test_examples_are_served_as_their_own_block_type(api_client):
    body = api_client.get("/api/v1/modules/lancer-le-click-and-collect/").json()
    examples = [block["value"] for block in body["body"] if block["type"] == "example"]
    assert examples and examples[0].startswith("<p>Un primeur de Noailles")


def test_wagtail_api_v2_serves_en_bref_as_lines(api_client):
    from cms.models import ModulePage

    page = ModulePage.objects.get(slug="creer-sa-boutique-en-ligne")
    body = api_client.get(f"/api/v2/pages/{page.pk}/").json()
    assert len(body["en_bref"]) == 3 and "19 juin 2026" in body["en_bref"][2]
    assert {source["key"] for source in body["sources"]} >= {"l221-21", "gpsr"}
