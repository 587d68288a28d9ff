"""The OpenAPI schema says what the API does (gaps schemathesis found): its own examples are accepted, the
event batch is bounded, empty or null paging parameters are refused, every error answer is documented as
JSON in the error shape."""

import pytest

from api.merchant_views import MAX_EVENTS_PER_BATCH

from .conftest import _schema

pytestmark = pytest.mark.django_db


def test_the_documented_diagnostic_example_is_accepted(merchant):
    operation = _schema()["paths"]["/api/v1/me/diagnostic/"]["post"]
    example = next(iter(operation["requestBody"]["content"]["application/json"]["examples"].values()))["value"]
    response = merchant.client.post("/api/v1/me/diagnostic/", example, format="json")
    assert response.status_code == 201, response.content[:300]


def test_the_event_batch_is_bounded_in_the_schema_and_an_empty_one_refused(merchant):
    schema = _schema()["components"]["schemas"]["EngagementEventOrBatchRequest"]
    batch = next(variant for variant in schema["oneOf"] if variant.get("type") == "array")
    assert (batch["minItems"], batch["maxItems"]) == (1, MAX_EVENTS_PER_BATCH)
    response = merchant.client.post("/api/v1/me/events/", [], format="json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid"


@pytest.mark.parametrize("value", ["null", "", "0", "-3", "abc"])
def test_a_page_size_that_is_not_a_positive_number_is_refused(api_client, merchant, value):
    for client, path in ((api_client, "/api/v1/modules/"), (merchant.client, "/api/v1/me/help-requests/")):
        response = client.get(path, {"page_size": value})
        assert response.status_code == 400, (path, value)
        assert "page_size" in response.json()["error"]["fields"]
    assert api_client.get("/api/v1/modules/", {"page_size": "500"}).status_code == 200  # capped at 100, not refused


@pytest.mark.parametrize("value", ["", "null", "0", "21"])
def test_an_empty_or_invalid_recommendation_limit_is_refused(merchant, value):
    response = merchant.client.get("/api/v1/me/recommendations/", {"limit": value})
    assert response.status_code == 400 and "limit" in response.json()["error"]["fields"]


def test_every_error_answer_is_documented_as_json_in_the_error_shape():
    for path, methods in _schema()["paths"].items():
        for method, operation in methods.items():
            secured = any("merchantToken" in requirement for requirement in operation.get("security", []))
            statuses = operation["responses"]
            if secured:
                assert "401" in statuses, (method, path)
            if "{" in path:
                assert "404" in statuses, (method, path)
            for status, response in statuses.items():
                if int(status) >= 400 and not path.endswith(".csv"):
                    content = response.get("content", {})
                    assert list(content) == ["application/json"], (method, path, status)
                    assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}, (
                        method,
                        path,
                        status,
                    )
