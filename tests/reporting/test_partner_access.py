"""Who reads the observatory: a partner key reads the aggregates and nothing else; a merchant token and an
editor without the observatory permission get 403 (in the API's error shape); staff with it see the
dashboard, the barometer and the downloads."""

import pytest
from django.contrib.auth.models import Group, Permission
from rest_framework.test import APIClient

from merchants import services as merchant_services
from partners import services
from partners.models import PartnerApiKey

pytestmark = [pytest.mark.usefixtures("demo_population"), pytest.mark.django_db]

AGGREGATES = "/api/v1/observatory/aggregates/"
PASSWORD = "Calanques-de-Sormiou-2026"


@pytest.fixture
def partner():
    key, secret = services.issue_partner_key(name="Ville de Marseille, service économie")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"ApiKey {secret}")
    return key, secret, client


def staff(django_user_model, username, *, allowed: bool):
    user = django_user_model.objects.create_user(username, f"{username}@agence.fr", PASSWORD, is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    if allowed:
        group = Group.objects.create(name=f"Observatoire {username}")
        group.permissions.add(Permission.objects.get(codename="view_observatory"))
        user.groups.add(group)
    return user


def assert_error(response, status, code=None):
    assert response.status_code == status, response.content[:300]
    body = response.json()
    assert set(body) == {"error"} and body["error"]["message"]
    if code:
        assert body["error"]["code"] == code


def test_a_partner_key_reads_the_aggregates_with_small_cells_suppressed(partner):
    _, _, client = partner
    response = client.get(AGGREGATES, {"period": "2026", "table": "sector×area"})
    assert response.status_code == 200
    body = response.json()
    assert body["period"]["key"] == "2026" and body["min_cell_size"] == 10
    rows = body["rows"]
    assert rows and {row["table"] for row in rows} == {"sector×area"}
    hidden = [row for row in rows if row["hidden_measures"]]
    assert hidden, "a seeded population of 120 merchants over 9 sectors and ~30 areas has small cells"
    for row in hidden:
        assert all(row[name] is None for name in row["hidden_measures"])
        assert row["sector_label"] and row["area_label"]

    csv = client.get("/api/v1/observatory/aggregates.csv", {"period": "2026", "table": "sector"})
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    header = csv.content.decode().splitlines()[0].split(",")
    assert header[:4] == ["period", "period_start", "period_end", "table"] and "hidden_measures" in header
    codebook = client.get("/api/v1/observatory/codebook/", {"period": "2026"}).json()
    assert {column["name"] for column in codebook["columns"]} == set(header)


def test_a_partner_key_reads_nothing_else(partner, client):
    _, secret, api = partner
    for path in (
        "/api/v1/me/",
        "/api/v1/me/profile/",
        "/api/v1/me/export/",
        "/api/v1/me/help-requests/",
        "/api/v1/espace/missions/",
        "/api/v1/me/recommendations/",
    ):
        response = api.get(path)
        assert response.status_code in (401, 403), path
        assert response.json()["error"]
    admin = client.get("/admin/observatoire/", HTTP_AUTHORIZATION=f"ApiKey {secret}")
    assert admin.status_code == 302 and "/admin/login/" in admin["Location"]


def test_a_revoked_or_unknown_key_is_refused(partner):
    key, secret, client = partner
    services.revoke_partner_key(key=key)
    assert_error(client.get(AGGREGATES, {"period": "2026"}), 401, "api_key_invalid")
    client.credentials(HTTP_AUTHORIZATION="ApiKey esp_00000000_inventee")
    assert_error(client.get(AGGREGATES, {"period": "2026"}), 401, "api_key_invalid")
    assert_error(APIClient().get(AGGREGATES, {"period": "2026"}), 401)


def test_keys_are_stored_hashed(partner):
    key, secret, _ = partner
    stored = PartnerApiKey.objects.get(pk=key.pk)
    assert secret not in (stored.digest, stored.prefix, stored.name) and len(stored.digest) == 64
    assert secret.startswith(f"esp_{stored.prefix}_")


def test_a_merchant_token_gets_403():
    tokens = merchant_services.register_merchant(email="primeur.joliette@exemple.fr", password=PASSWORD)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens.access}")
    assert_error(client.get(AGGREGATES, {"period": "2026"}), 403, "permission_denied")


def test_an_editor_without_the_permission_gets_403_and_one_with_it_reads(django_user_model, client):
    editor = staff(django_user_model, "editeur", allowed=False)
    api = APIClient()
    api.force_login(editor)
    assert_error(api.get(AGGREGATES, {"period": "2026"}), 403, "permission_denied")
    client.force_login(editor)
    for path in ("/admin/observatoire/", "/admin/observatoire/donnees/", "/admin/observatoire/barometre/"):
        refused = client.get(
            path, {"period": "2026"}
        )  # Wagtail's answer to PermissionDenied: back home, with a message
        assert refused.status_code == 302 and refused["Location"] == "/admin/", path
    assert "Observatoire" not in client.get("/admin/").content.decode()

    analyst = staff(django_user_model, "analyste", allowed=True)
    api.force_login(analyst)
    assert api.get(AGGREGATES, {"period": "2026", "table": "total"}).status_code == 200
    client.force_login(analyst)
    page = client.get("/admin/observatoire/", {"period": "2026"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Maturité numérique par secteur" in html and html.count("<svg") >= 5
    assert client.get("/admin/observatoire/donnees/", {"period": "2026", "format": "csv"}).status_code == 200
    assert client.get("/admin/observatoire/cles/").status_code == 302, "issuing keys needs its own permission"


def test_bad_parameters_are_400_naming_the_parameter(partner):
    _, _, client = partner
    response = client.get(AGGREGATES, {"period": "novembre"})
    assert_error(response, 400, "invalid")
    assert "period" in response.json()["error"]["fields"]
    response = client.get(AGGREGATES, {"period": "2026", "table": "sector×theme×area"})
    assert "table" in response.json()["error"]["fields"]


def test_partner_keys_are_throttled(partner, settings):
    _, _, client = partner
    settings.OBSERVATORY = {**settings.OBSERVATORY, "PARTNER_RATE": "2/minute"}
    assert client.get(AGGREGATES, {"period": "2026", "table": "total"}).status_code == 200
    assert client.get(AGGREGATES, {"period": "2026", "table": "total"}).status_code == 200
    assert_error(client.get(AGGREGATES, {"period": "2026", "table": "total"}), 429)


def test_staff_issue_and_revoke_keys_in_the_admin(django_user_model, client):
    admin = django_user_model.objects.create_superuser("direction", "direction@agence.fr", PASSWORD)
    client.force_login(admin)
    page = client.post("/admin/observatoire/cles/", {"name": "Région Sud, direction de l'économie"})
    assert page.status_code == 200
    key = PartnerApiKey.objects.get(name="Région Sud, direction de l'économie")
    html = page.content.decode()
    secret = html.split('<code id="partner-secret">', 1)[1].split("</code>", 1)[0]
    assert secret.startswith(f"esp_{key.prefix}_")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"ApiKey {secret}")
    assert api.get(AGGREGATES, {"period": "2026", "table": "total"}).status_code == 200
    assert secret not in client.get("/admin/observatoire/cles/").content.decode(), "shown once"
    client.post("/admin/observatoire/cles/", {"revoke": key.pk})
    assert api.get(AGGREGATES, {"period": "2026", "table": "total"}).status_code == 401


def test_the_openapi_schema_documents_the_partner_endpoint():
    import yaml

    schema = yaml.safe_load(APIClient().get("/api/v1/schema/").content)
    operation = schema["paths"]["/api/v1/observatory/aggregates/"]["get"]
    assert {"partnerApiKey": []} in operation["security"]
    assert {"403", "401", "429"} <= set(operation["responses"])
    assert schema["components"]["securitySchemes"]["partnerApiKey"]["type"] == "apiKey"
