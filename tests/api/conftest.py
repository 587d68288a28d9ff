"""Shared by the API tests: signed-in merchants (from the merchants' tests) and every /api/v1/ operation,
read from the OpenAPI schema so a new endpoint is covered by the contract tests without editing them."""

import re

from tests.merchants.conftest import (  # noqa: F401 - fixtures
    PASSWORD,
    SignedInMerchant,
    _generous_auth_throttle,
    editor,
    make_merchant,
    merchant,
    other_merchant,
)


def _schema() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def api_operations(*, with_json_body: bool = False) -> list[tuple[str, str]]:
    """(method, path template) of every operation the schema documents, e.g. ("POST", "/api/v1/me/events/");
    with `with_json_body`, only those that take a JSON body."""
    return sorted(
        (method.upper(), path)
        for path, operations in _schema()["paths"].items()
        for method, operation in operations.items()
        if method in {"get", "post", "put", "patch", "delete"}
        and (not with_json_body or "application/json" in operation.get("requestBody", {}).get("content", {}))
    )


def concrete(path: str, values: dict[str, str]) -> str:
    """A path template with its parameters filled in (`{slug}` → values["slug"])."""
    return re.sub(r"\{(\w+)\}", lambda match: str(values[match.group(1)]), path)
