"""The catalogue API as a frontend uses it: filters, search, pagination, detail shapes, errors, caching."""

import pytest
from openapi_spec_validator import validate

from cms.models import ModulePage, Theme

# sqlite: make run serves this from its embedded SQLite database (search falls back to SQLite FTS there)
pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

MODULES = "/api/v1/modules/"


def slugs(response):
    return [item["slug"] for item in response.json()["results"]]


def test_themes_list_every_theme_with_its_published_module_count(api_client):
    response = api_client.get("/api/v1/themes/")
    assert response.status_code == 200
    body = response.json()
    assert [t["slug"] for t in body] == list(Theme.objects.order_by("sort_order").values_list("slug", flat=True))
    for theme in body:
        assert theme["module_count"] == ModulePage.objects.live().filter(theme__slug=theme["slug"]).count() > 0


def test_taxonomy_gives_everything_an_onboarding_form_needs(api_client):
    body = api_client.get("/api/v1/taxonomy/").json()
    assert set(body) == {"themes", "sectors", "goals", "capabilities", "levels", "cost_bands", "size_bands"}
    assert [b["slug"] for b in body["size_bands"]] == ["seul", "2-5", "6-10", "11-49"]
    assert {"slug": "restauration", "name": "Restauration et cafés"}.items() <= body["sectors"][2].items() or any(
        s["slug"] == "restauration" for s in body["sectors"]
    )
    assert any(c["slug"] == "click-collect" and c["theme"] == "vendre-en-ligne" for c in body["capabilities"])
    assert [b["slug"] for b in body["cost_bands"]] == ["gratuit", "moins-20", "20-100", "plus-100"]


def test_a_new_sector_added_by_editors_is_offered_and_accepted_at_once(api_client):
    from cms.models import Sector

    Sector.objects.create(slug="marches-forains", name="Marchés forains")
    assert any(s["slug"] == "marches-forains" for s in api_client.get("/api/v1/taxonomy/").json()["sectors"])
    assert api_client.get(MODULES, {"sector": "marches-forains"}).status_code == 200


def test_filter_by_theme_returns_only_that_theme(api_client):
    response = api_client.get(MODULES, {"theme": "vendre-en-ligne", "page_size": 100})
    assert response.status_code == 200
    results = response.json()["results"]
    assert results and all(item["theme"]["slug"] == "vendre-en-ligne" for item in results)
    assert response.json()["count"] == ModulePage.objects.live().filter(theme__slug="vendre-en-ligne").count()


def test_filter_by_sector_includes_modules_meant_for_every_sector(api_client):
    results = api_client.get(MODULES, {"sector": "restauration", "page_size": 100}).json()["results"]
    returned = {item["slug"] for item in results}
    assert "plateformes-de-livraison-restaurant" in returned  # restaurants only
    assert "creer-sa-fiche-google" in returned  # every sector
    for item in results:
        targets = {s["slug"] for s in item["sectors"]}
        assert not targets or "restauration" in targets
    coiffure = {
        i["slug"] for i in api_client.get(MODULES, {"sector": "services-personne", "page_size": 100}).json()["results"]
    }
    assert "plateformes-de-livraison-restaurant" not in coiffure


def test_filters_combine_with_and_across_and_or_within(api_client):
    both = api_client.get(MODULES, {"theme": "se-proteger,vendre-en-ligne", "page_size": 100}).json()
    protect = api_client.get(MODULES, {"theme": "se-proteger"}).json()["count"]
    sell = api_client.get(MODULES, {"theme": "vendre-en-ligne"}).json()["count"]
    assert both["count"] == protect + sell
    narrowed = api_client.get(MODULES, {"theme": "vendre-en-ligne", "level": "debutant", "page_size": 100}).json()
    assert all(
        item["theme"]["slug"] == "vendre-en-ligne" and item["level"]["slug"] == "debutant"
        for item in narrowed["results"]
    )
    assert narrowed["count"] < sell or sell == 0


def test_filter_by_goal_and_capability(api_client):
    by_goal = api_client.get(MODULES, {"goal": "se-mettre-en-conformite", "page_size": 100}).json()["results"]
    assert by_goal and all(any(g["slug"] == "se-mettre-en-conformite" for g in m["goals"]) for m in by_goal)
    by_cap = api_client.get(MODULES, {"capability": "click-collect"}).json()["results"]
    assert "lancer-le-click-and-collect" in [m["slug"] for m in by_cap]
    assert all(any(c["slug"] == "click-collect" for c in m["capabilities_built"]) for m in by_cap)


def test_full_text_search_finds_modules_by_their_words(api_client):
    response = api_client.get(MODULES, {"q": "mots de passe"})
    assert response.status_code == 200
    assert "securiser-ses-mots-de-passe" in slugs(response)
    assert "plateformes-de-livraison-restaurant" not in slugs(response)
    assert api_client.get(MODULES, {"q": "xyzzyplugh"}).json()["count"] == 0


def test_search_and_filters_together(api_client):
    response = api_client.get(MODULES, {"q": "facture", "theme": "encaisser-gerer", "page_size": 100})
    found = slugs(response)
    assert found and all(item["theme"]["slug"] == "encaisser-gerer" for item in response.json()["results"])


@pytest.mark.parametrize("param", ["theme", "sector", "goal", "capability", "level", "cost_band"])
def test_unknown_filter_value_is_a_400_naming_the_parameter(api_client, param):
    response = api_client.get(MODULES, {param: "n-existe-pas"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert list(error["fields"]) == [param]
    assert "n-existe-pas" in error["fields"][param][0] and "Valeurs acceptées" in error["fields"][param][0]


def test_pagination_walks_the_whole_catalogue_without_overlap(api_client):
    total = ModulePage.objects.live().count()
    seen, url = [], f"{MODULES}?page_size=7"
    while url:
        body = api_client.get(url).json()
        assert body["count"] == total
        seen += [item["slug"] for item in body["results"]]
        url = body["next"]
    assert len(seen) == total == len(set(seen))
    assert api_client.get(MODULES, {"page": 999}).status_code == 404
    assert api_client.get(MODULES, {"page_size": 1000}).json()["results"].__len__() == min(total, 100)


def test_module_detail_is_typed_json_ready_for_a_frontend(api_client):
    response = api_client.get("/api/v1/modules/lancer-le-click-and-collect/")
    assert response.status_code == 200
    module = response.json()
    assert module["title"] and module["summary"] and module["estimated_minutes"] > 0
    assert module["cost_band"]["slug"] in {"gratuit", "moins-20", "20-100", "plus-100"}
    types = [block["type"] for block in module["body"]]
    assert types.count("step") >= 3
    step = next(block for block in module["body"] if block["type"] == "step")
    assert set(step["value"]) == {"title", "text"} and step["value"]["text"].startswith("<")
    assert "linktype" not in response.content.decode()
    for block in module["body"]:
        if block["type"] == "resource":
            assert block["value"]["url"].startswith("http")
        if block["type"] == "checklist":
            assert all(isinstance(item, str) for item in block["value"]["items"])
    for related in module["related"]:
        assert related["url"].endswith(f"/api/v1/modules/{related['slug']}/")
    assert set(module["editorial_boost"]) == {"weight", "starts_at", "ends_at", "active"}


def test_unknown_or_unpublished_module_is_a_404_in_the_common_error_shape(api_client):
    response = api_client.get("/api/v1/modules/n-existe-pas/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    page = ModulePage.objects.get(slug="rgpd-les-bases")
    page.unpublish()
    assert api_client.get("/api/v1/modules/rgpd-les-bases/").status_code == 404
    assert "rgpd-les-bases" not in slugs(api_client.get(MODULES, {"page_size": 100}))


def test_etag_revalidation_returns_304_until_content_changes(api_client):
    first = api_client.get("/api/v1/modules/creer-sa-fiche-google/")
    etag = first["ETag"]
    assert "max-age" in first["Cache-Control"] and "public" in first["Cache-Control"]
    again = api_client.get("/api/v1/modules/creer-sa-fiche-google/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag

    page = ModulePage.objects.get(slug="creer-sa-fiche-google").get_latest_revision_as_object()
    page.summary = "Un nouveau résumé."
    page.save_revision().publish()
    changed = api_client.get("/api/v1/modules/creer-sa-fiche-google/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_openapi_schema_is_valid_and_documents_only_our_endpoints(api_client):
    response = api_client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    import json

    import yaml

    text = response.content.decode()
    schema = json.loads(text) if text.lstrip().startswith("{") else yaml.safe_load(text)
    validate(schema)
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) >= {
        "/api/v1/modules/",
        "/api/v1/modules/{slug}/",
        "/api/v1/themes/",
        "/api/v1/taxonomy/",
    }
    assert all(path.startswith("/api/v1/") for path in schema["paths"])
    params = {p["name"] for p in schema["paths"]["/api/v1/modules/"]["get"]["parameters"]}
    assert {"theme", "sector", "goal", "capability", "level", "q", "page", "page_size"} <= params
    docs = api_client.get("/api/v1/docs/")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()


def test_wagtail_api_v2_exposes_module_fields(api_client):
    response = api_client.get(
        "/api/v2/pages/", {"type": "cms.ModulePage", "fields": "summary,theme,goals,body", "limit": 5}
    )
    assert response.status_code == 200
    item = response.json()["items"][0]
    assert item["summary"] and isinstance(item["theme"], str) and isinstance(item["goals"], list)
    assert any(block["type"] == "step" for block in item["body"])


def test_health_and_readiness(api_client):
    assert api_client.get("/healthz").json() == {"status": "ok"}
    ready = api_client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["content"]["published_modules"] == ModulePage.objects.live().count()


def test_readiness_fails_while_no_content_is_loaded(api_client):
    ModulePage.objects.all().update(live=False)
    response = api_client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["content"]["ok"] is False
