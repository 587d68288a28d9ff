"""Staff browse merchants' data in the Wagtail admin (events strictly read-only); the OpenAPI schema documents
every merchant endpoint with its shapes, errors and security."""

import json
import uuid

import pytest
from django.urls import reverse
from openapi_spec_validator import validate

from merchants.models import DiagnosticResult, EngagementEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def merchant_with_history(merchant):
    merchant.client.patch("/api/v1/me/profile/", {"business_name": "Épicerie du Panier"}, format="json")
    merchant.client.post(
        "/api/v1/me/events/",
        {"event_id": str(uuid.uuid4()), "module": "rgpd-les-bases", "kind": "completed"},
        format="json",
    )
    DiagnosticResult.objects.create(
        merchant=merchant.profile,
        questionnaire_slug="autodiagnostic-numerique",
        answers={},
        theme_scores={},
        overall_score=12,
        band_slug="debutant",
        band_label="Débutant",
    )
    return merchant


@pytest.mark.parametrize("name", ["merchantprofile", "diagnosticresult", "engagementevent", "mission"])
def test_staff_browse_and_inspect_merchant_data(staff_client, merchant_with_history, name):
    index = staff_client.get(reverse(f"{name}:index"))
    assert index.status_code == 200
    model = {
        "merchantprofile": type(merchant_with_history.profile),
        "diagnosticresult": DiagnosticResult,
        "engagementevent": EngagementEvent,
    }.get(name)
    if model is not None:
        pk = model.objects.order_by("pk").values_list("pk", flat=True).first()
        assert staff_client.get(reverse(f"{name}:inspect", args=[pk])).status_code == 200


def test_filters_work_on_the_admin_lists(staff_client, merchant_with_history):
    assert staff_client.get(reverse("engagementevent:index"), {"kind": "completed"}).status_code == 200
    assert staff_client.get(reverse("merchantprofile:index"), {"personalisation_consent": "true"}).status_code == 200
    listing = staff_client.get(reverse("merchantprofile:index"), {"q": "Panier"})
    assert listing.status_code == 200 and "Épicerie du Panier" in listing.content.decode()


@pytest.mark.parametrize("name", ["merchantprofile", "diagnosticresult", "engagementevent"])
def test_merchant_data_is_read_only_in_the_admin(staff_client, merchant_with_history, name):
    model = {"merchantprofile": type(merchant_with_history.profile), "diagnosticresult": DiagnosticResult}.get(
        name, EngagementEvent
    )
    pk = model.objects.order_by("pk").values_list("pk", flat=True).first()
    count = model.objects.count()
    assert staff_client.get(reverse(f"{name}:add")).status_code in (302, 403)
    assert staff_client.get(reverse(f"{name}:edit", args=[pk])).status_code in (302, 403)
    assert staff_client.post(reverse(f"{name}:edit", args=[pk]), {}).status_code in (302, 403)
    assert staff_client.post(reverse(f"{name}:delete", args=[pk])).status_code in (302, 403)
    assert model.objects.count() == count


def test_the_schema_documents_every_merchant_endpoint_with_errors_and_security(api_client):
    response = api_client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    schema = json.loads(response.content)
    validate(schema)
    paths = schema["paths"]
    expected = {
        "/api/v1/auth/register/": ["post"],
        "/api/v1/auth/login/": ["post"],
        "/api/v1/auth/refresh/": ["post"],
        "/api/v1/auth/logout/": ["post"],
        "/api/v1/auth/password/": ["post"],
        "/api/v1/diagnostic/": ["get"],
        "/api/v1/me/": ["get", "delete"],
        "/api/v1/me/profile/": ["get", "put", "patch"],
        "/api/v1/me/diagnostic/": ["get", "post"],
        "/api/v1/me/events/": ["post"],
        "/api/v1/me/progress/": ["get"],
        "/api/v1/me/help-requests/": ["get", "post"],
        "/api/v1/me/help-requests/{id}/": ["get"],
        "/api/v1/me/help-requests/{id}/cancel/": ["post"],
        "/api/v1/me/help-requests/{id}/rating/": ["post"],
        "/api/v1/me/help-requests/{id}/messages/": ["post"],
        "/api/v1/me/help-requests/{id}/sessions/": ["post"],
        "/api/v1/me/help-requests/{id}/sessions/{session_id}/held/": ["post"],
        "/api/v1/me/export/": ["get"],
    }
    assert schema["components"]["securitySchemes"]["merchantToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schema["components"]["securitySchemes"]["merchantToken"]["description"],
    }
    for path, methods in expected.items():
        assert path in paths, path
        for method in methods:
            operation = paths[path][method]
            codes = set(operation["responses"])
            assert codes & {"200", "201", "204"}, (path, method)
            assert codes - {"200", "201", "204"}, (path, method)  # errors are documented
            if path.startswith("/api/v1/me/") or path in ("/api/v1/auth/logout/", "/api/v1/auth/password/"):
                assert {"merchantToken": []} in operation["security"], (path, method)
                assert "401" in codes, (path, method)
            if method in ("post", "put", "patch") and not path.endswith(("/cancel/", "/held/")):
                assert "requestBody" in operation, (path, method)
    events = paths["/api/v1/me/events/"]["post"]
    assert {"200", "201", "400", "409"} <= set(events["responses"])
    assert "oneOf" in schema["components"]["schemas"]["EngagementEventOrBatchRequest"]
