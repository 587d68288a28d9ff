"""OpenAPI schema hooks: the published schema documents our own /api/v1/ endpoints only
(Wagtail's /api/v2/ has its own conventions and is documented by Wagtail)."""


def only_our_endpoints(endpoints, **kwargs):
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]


def bound_event_batches(result, **kwargs):
    """The events endpoint takes one event or a batch of 1 to 500: drf-spectacular drops a ListSerializer's
    min/max length inside a oneOf, so the bounds are written here (schemathesis found the gap)."""
    from api.merchant_views import MAX_EVENTS_PER_BATCH

    for variant in (
        result.get("components", {}).get("schemas", {}).get("EngagementEventOrBatchRequest", {}).get("oneOf", [])
    ):
        if variant.get("type") == "array":
            variant.update(minItems=1, maxItems=MAX_EVENTS_PER_BATCH)
    return result


PAGINATION_ERRORS = {
    "400": "`page_size` is not a number from 1 to 100.",
    "404": "`page` is not a page of the list (not a number, or past the last page).",
}


def document_pagination_errors(result, **kwargs):
    """Every paginated list answers 400 for a bad `page_size` and 404 for a page that does not exist."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            names = {parameter.get("name") for parameter in operation.get("parameters", [])}
            if "page" not in names:
                continue
            for status, description in PAGINATION_ERRORS.items():
                operation["responses"].setdefault(
                    status,
                    {
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                        "description": description,
                    },
                )
    return result
