"""The API's one error contract: whatever goes wrong under /api/, the answer is JSON in one shape with a
code from the documented enum — unknown paths, bad or hostile bodies, OPTIONS, CSRF, a database outage."""

import json

import pytest
from django.db import OperationalError
from rest_framework.test import APIClient

from api.errors import ERROR_CODES
from api.parsers import MAX_JSON_DEPTH
from cms.models import ModulePage
from missions import services
from missions.models import Appointment, Mission
from tests.factories import MEMBER_PASSWORD, StudentFactory

from .conftest import api_operations, concrete

pytestmark = pytest.mark.django_db


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"]) <= {"code", "message", "fields"}
    assert body["error"]["code"] in ERROR_CODES and body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code
    return body["error"]


@pytest.mark.parametrize(
    "path", ["/api/v1/", "/api/v1/nope/", "/api/v1/modules/x/y/z/", "/api/", "/api/v3/pages/", "/api/v2/nope/"]
)
def test_unknown_api_paths_answer_a_json_404(api_client, path):
    assert_error(api_client.get(path), 404, "not_found")


def test_a_body_that_is_not_json_is_a_french_parse_error(api_client):
    error = assert_error(
        api_client.post("/api/v1/auth/login/", data="{email: nope", content_type="application/json"), 400, "parse_error"
    )
    assert error["message"].startswith("Le corps de la requête n'est pas un JSON valide")


def sample_path_values(merchant) -> dict[str, str]:
    module = ModulePage.objects.live().first()
    help_request = services.request_help(merchant=merchant.profile, need="Aidez-moi.", module=module)
    session = Appointment.objects.create(
        mission=help_request, starts_at=help_request.created_at, mode="phone", proposed_by="student"
    )
    return {"slug": module.slug, "id": help_request.pk, "pk": help_request.pk, "session_id": session.pk}


def test_deeply_nested_json_is_a_parse_error_on_every_json_endpoint(merchant):
    """2 KB of brackets used to raise a RecursionError (a 500) before any view code ran, anonymous login included."""
    values = sample_path_values(merchant)
    # The students' space answers students only: one, signed in, to whom the sample mission is proposed.
    student = StudentFactory(themes=[Mission.objects.get(pk=values["id"]).theme.slug])
    services.propose_student(mission=Mission.objects.get(pk=values["id"]), student=student, coordinator=None)
    student_client = APIClient()
    tokens = services.log_in_member(email=student.user.email, password=MEMBER_PASSWORD)
    student_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens.access}")
    writes = api_operations(with_json_body=True)
    assert ("POST", "/api/v1/auth/login/") in writes and len(writes) >= 10
    for body in (
        "[" * 2048 + "]" * 2048,
        json.dumps({"a": json.loads("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1))}),
    ):
        for method, path in writes:
            client = student_client if path.startswith("/api/v1/espace/missions/") else merchant.client
            response = client.generic(method, concrete(path, values), body, content_type="application/json")
            error = assert_error(response, 400, "parse_error")
            assert "profonde" in error["message"], (method, path)


def test_json_nested_within_the_limit_reaches_the_serializer(merchant):
    nested = json.loads("[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1))
    response = merchant.client.patch("/api/v1/me/profile/", {"business_name": nested}, format="json")
    assert_error(response, 400, "invalid")


def test_an_oversized_json_body_is_a_json_413(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = json.dumps({"email": "a@exemple.fr", "password": "x" * 20_000})
    assert_error(
        api_client.post("/api/v1/auth/login/", body, content_type="application/json"), 413, "payload_too_large"
    )


def test_django_error_handlers_answer_json_under_api(rf):
    """What happens outside our views (a middleware reading an oversized form, a CSRF failure, a bug, a
    database outage) goes through Django's handlers and CSRF_FAILURE_VIEW: JSON under /api/, HTML elsewhere."""
    from django.core.exceptions import RequestDataTooBig

    from api.errors import csrf_failure, handlers

    handler400, _handler403, _handler404, handler500 = handlers()
    request = rf.post("/api/v1/anything/")
    for exception, handler, status, code in (
        (RequestDataTooBig("too big"), handler400, 413, "payload_too_large"),
        (ValueError("a bug"), handler500, 500, "server_error"),
        (OperationalError("down"), handler500, 503, "service_unavailable"),
    ):
        try:
            raise exception
        except Exception:  # noqa: BLE001 - Django calls its handlers inside its except block
            response = handler(request)
        assert_error(response, status, code)
    assert_error(csrf_failure(request), 403, "permission_denied")
    assert "html" in csrf_failure(rf.post("/admin/login/"))["Content-Type"]


def test_options_never_fails_on_any_endpoint(merchant, api_client):
    values = sample_path_values(merchant)
    paths = sorted({concrete(path, values) for _method, path in api_operations()})
    for client in (merchant.client, api_client):
        for path in paths:
            response = client.options(path)
            assert response.status_code < 500, (path, response.content[:200])
            if response.status_code == 200:
                assert response["Allow"] and "OPTIONS" in response["Allow"]
            else:
                assert_error(response, response.status_code)


def test_a_database_outage_in_a_view_is_a_json_503_with_retry_after(api_client, monkeypatch):
    from cms import selectors

    def unreachable(**kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(selectors, "filter_modules", unreachable)
    response = api_client.get("/api/v1/modules/?theme=se-proteger&x=uncached")
    assert_error(response, 503, "service_unavailable")
    assert int(response["Retry-After"]) > 0


def test_domain_refusals_use_the_same_shape(api_client, merchant):
    response = api_client.post(
        "/api/v1/auth/login/", {"email": merchant.email, "password": "faux-mot-de-passe"}, format="json"
    )
    assert_error(response, 401, "invalid_credentials")
    assert response["WWW-Authenticate"].startswith("Bearer")
    wrong = merchant.client.post(
        "/api/v1/auth/password/",
        {"current_password": "pas-le-bon", "new_password": "Calanques-2027-et-plus"},
        format="json",
    )
    assert_error(wrong, 400, "wrong_password")


def test_the_schema_lists_every_error_code_as_an_enum(api_client):
    schema = api_client.get("/api/v1/schema/?format=json").json()
    code = schema["components"]["schemas"]["ErrorBody"]["properties"]["code"]
    enum = code.get("enum") or schema["components"]["schemas"][code["$ref"].rsplit("/", 1)[1]]["enum"]
    assert set(enum) == set(ERROR_CODES)


@pytest.mark.parametrize(
    "path",
    ["/api/v2/pages/?type=nope.Nope", "/api/v2/pages/999999/", "/api/v2/images/999999/", "/api/v2/page_preview/"],
)
def test_wagtails_api_errors_have_the_same_shape(api_client, path):
    response = api_client.get(path)
    assert_error(response, response.status_code)
    assert response.status_code in (400, 404)
