"""One error shape for every API response that is not a success.

    {"error": {"code": "invalid", "message": "…", "fields": {"theme": ["…"]}}}

`fields` is present when the error is about named inputs (body fields or query parameters), so a
frontend can show each message next to its field.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

MESSAGES = {
    status.HTTP_400_BAD_REQUEST: "La requête contient des valeurs invalides.",
    status.HTTP_404_NOT_FOUND: "Ressource introuvable.",
}


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    body = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return {"error": body}


def _flatten(detail):
    """DRF error details → plain strings, keeping the field structure."""
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_flatten(item) for item in detail]
    return str(detail)


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real bug: let Django's 500 handling log it

    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        if isinstance(detail, dict):
            non_field = detail.get("non_field_errors")
            fields = {k: v for k, v in _flatten(detail).items() if k != "non_field_errors"}
            message = str(non_field[0]) if non_field else MESSAGES[400]
            response.data = error_body("invalid", message, fields or None)
        else:
            messages = _flatten(detail if isinstance(detail, list) else [detail])
            response.data = error_body("invalid", messages[0] if messages else MESSAGES[400])
    else:
        detail = getattr(exc, "detail", None)
        code = detail.code if hasattr(detail, "code") else getattr(exc, "default_code", "error")
        response.data = error_body(str(code), str(detail) if detail else MESSAGES.get(response.status_code, ""))
    return response


def not_found_view(request, exception=None):
    """JSON 404 for unknown /api/ paths (Django's handler404 would render HTML)."""
    return Response(error_body("not_found", MESSAGES[404]), status=404)
