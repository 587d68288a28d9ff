"""The API's one error path: every /api/ response that is not a success has one shape,

    {"error": {"code": "invalid", "message": "…", "fields": {"theme": ["…"]}}}

`code` is one of `ERROR_CODES` (an enum in the OpenAPI schema); `message` is French, for people;
`fields` is present when the error is about named inputs (body fields or query parameters), so a
frontend can show each message next to its field.

Everything lands here: DRF's exceptions, Django's `Http404`/`PermissionDenied`/`ValidationError`, the
domains' refusals (`DOMAIN_ERRORS`), a database outage (503) — through `exception_handler` for our views,
and through `api_error_response` for what happens outside them (unknown /api/ paths, Django's 400/403/500
handlers, CSRF failures; see `config/urls.py` and `ApiErrorMiddleware`).
"""

import logging
import sys

from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from merchants import services as merchant_services
from missions import services as mission_services

logger = logging.getLogger(__name__)

#: Every `code` the API answers with, and when. Add a code here before using it (the schema lists these).
ERROR_CODES = {
    "invalid": "400: invalid values; `fields` names each offending field or query parameter",
    "parse_error": "400: the body is not valid JSON, or nested too deeply",
    "email_taken": "400: an account already uses this email",
    "wrong_password": "400: the current password is wrong",
    "invalid_reset_link": "400: the password reset link is unknown, used or expired",
    "not_authenticated": "401: no token",
    "authentication_failed": "401: the token or the Authorization header is malformed",
    "token_invalid": "401: unknown, expired or revoked token, or not a merchant account",
    "api_key_invalid": "401: unknown or revoked partner API key",
    "invalid_credentials": "401: wrong email or password",
    "invalid_refresh_token": "401: the session is over; sign in again",
    "permission_denied": "403: not allowed (or a CSRF failure on a form post)",
    "not_found": "404: no such resource, or another merchant's",
    "method_not_allowed": "405: the method is not allowed on this endpoint",
    "not_acceptable": "406: no representation for the Accept header",
    "conflict": "409: an event id already used for different content",
    "invalid_transition": "400: the mission's (or session's) status does not allow this; `message` says why",
    "payload_too_large": "413: the body is larger than the server accepts",
    "unsupported_media_type": "415: the body must be JSON",
    "throttled": "429: too many requests; retry after the Retry-After header's seconds",
    "quota_exceeded": "429: the account's quota for this action is spent; retry after Retry-After",
    "server_error": "500: a bug on our side (logged)",
    "diagnostic_unavailable": "503: the questionnaire is incomplete in the CMS",
    "service_unavailable": "503: a store the API needs is unreachable; retry after Retry-After",
}

MESSAGES = {
    status.HTTP_400_BAD_REQUEST: "La requête contient des valeurs invalides.",
    status.HTTP_403_FORBIDDEN: "Vous n'avez pas le droit d'effectuer cette action.",
    status.HTTP_404_NOT_FOUND: "Ressource introuvable.",
    status.HTTP_413_REQUEST_ENTITY_TOO_LARGE: "Le corps de la requête est trop volumineux.",
    status.HTTP_500_INTERNAL_SERVER_ERROR: "Une erreur inattendue s'est produite ; nos équipes ont été prévenues.",
    status.HTTP_503_SERVICE_UNAVAILABLE: "Le service est momentanément indisponible : réessayez dans quelques secondes.",
}
#: The code a status falls back to when an exception carries none we know.
STATUS_CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "throttled",
    503: "service_unavailable",
}
RETRY_AFTER_OUTAGE = 5  # seconds a client should wait after a 503 for an unreachable store

#: The domains' refusals a caller can act on: exception class → (HTTP status, code). Subclasses of a listed
#: class inherit its entry; `MerchantError` itself is a 400 `invalid`.
DOMAIN_ERRORS: dict[type[Exception], tuple[int, str]] = {
    merchant_services.EmailAlreadyRegistered: (400, "email_taken"),
    merchant_services.InvalidCredentials: (401, "invalid_credentials"),
    merchant_services.InvalidRefreshToken: (401, "invalid_refresh_token"),
    merchant_services.WrongPassword: (400, "wrong_password"),
    merchant_services.InvalidResetLink: (400, "invalid_reset_link"),
    merchant_services.InvalidAnswers: (400, "invalid"),
    mission_services.InvalidTransition: (400, "invalid_transition"),
    mission_services.NotAllowed: (403, "permission_denied"),
    # The questionnaire is authored wrong (no maturity band): not the merchant's fault, nothing to fix in the
    # request, and it lasts until editors fix the content, hence 503 rather than 400 or a bare 500.
    merchant_services.DiagnosticUnavailable: (503, "diagnostic_unavailable"),
    merchant_services.MerchantError: (400, "invalid"),
}
#: Store outages: the request was fine, retrying later works.
OUTAGE_ERRORS = (OperationalError, InterfaceError)

ERROR = inline_serializer(
    "Error",
    {
        "error": inline_serializer(
            "ErrorBody",
            {
                "code": serializers.ChoiceField(choices=sorted(ERROR_CODES)),
                "message": serializers.CharField(),
                "fields": serializers.DictField(
                    child=serializers.ListField(child=serializers.CharField()), required=False
                ),
            },
        )
    },
)


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    if code not in ERROR_CODES:
        raise ValueError(f"unknown API error code {code!r}: add it to api.errors.ERROR_CODES")
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


def _domain_error(exc) -> tuple[int, str] | None:
    for klass in type(exc).__mro__:
        if klass in DOMAIN_ERRORS:
            return DOMAIN_ERRORS[klass]
    return None


def _field_messages(detail) -> dict[str, list[str]]:
    """Each field's messages as a flat list of strings (nested serializers' keys joined with dots)."""
    fields: dict[str, list[str]] = {}

    def walk(prefix: str, value):
        if isinstance(value, dict):
            for key, item in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), item)
        elif isinstance(value, list) and any(isinstance(item, dict | list) for item in value):
            for index, item in enumerate(value):
                if item:
                    walk(f"{prefix}.{index}" if prefix else str(index), item)
        else:
            fields.setdefault(prefix, []).extend(value if isinstance(value, list) else [value])

    walk("", _flatten(detail))
    return fields


def _validation_body(detail) -> dict:
    if isinstance(detail, dict):
        non_field = _flatten(detail.get("non_field_errors") or [])
        fields = _field_messages({k: v for k, v in detail.items() if k != "non_field_errors"})
        return error_body("invalid", non_field[0] if non_field else MESSAGES[400], fields or None)
    messages = _flatten(detail if isinstance(detail, list) else [detail])
    while messages and isinstance(messages[0], list | dict):  # a list of per-item errors
        messages = [m for m in (messages[0] if isinstance(messages[0], list) else messages[0].values())]
    return error_body("invalid", str(messages[0]) if messages else MESSAGES[400])


def exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: every exception our views raise becomes one error response."""
    headers = {}
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)

    if (mapped := _domain_error(exc)) is not None:
        status_code, code = mapped
        response = Response(error_body(code, exc.message, exc.fields), status=status_code)
    elif isinstance(exc, OUTAGE_ERRORS):
        logger.warning("store unreachable during an API request: %s", exc.__class__.__name__)
        response = Response(
            error_body("service_unavailable", MESSAGES[503]),
            status=503,
            headers={"Retry-After": str(RETRY_AFTER_OUTAGE)},
        )
    elif isinstance(exc, exceptions.ValidationError):
        response = Response(_validation_body(exc.detail), status=exc.status_code)
    elif isinstance(exc, exceptions.APIException):
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None) is not None:
            headers["Retry-After"] = str(max(1, round(exc.wait)))
        detail = exc.detail
        code = getattr(detail, "code", None) or getattr(exc, "default_code", None)
        if code not in ERROR_CODES:
            code = STATUS_CODES.get(exc.status_code, "invalid")
        message = str(detail) if detail and not isinstance(detail, list | dict) else MESSAGES.get(exc.status_code, "")
        response = Response(error_body(code, message), status=exc.status_code, headers=headers)
    else:
        return None  # a real bug: Django's 500 handling logs it, and `server_error` answers in our shape

    if response.status_code == 401 and "WWW-Authenticate" not in response:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    set_rollback()
    return response


# --- Outside our DRF views: Django's error handlers, unknown paths, CSRF ----------------------


def is_api_request(request) -> bool:
    return request.path_info.startswith("/api/")


def api_error_response(status_code: int, code: str | None = None, message: str | None = None) -> JsonResponse:
    response = JsonResponse(
        error_body(code or STATUS_CODES.get(status_code, "server_error"), message or MESSAGES[status_code]),
        status=status_code,
    )
    if status_code == 503:
        response["Retry-After"] = str(RETRY_AFTER_OUTAGE)
    return response


@csrf_exempt  # an unknown path is a 404 whatever the method, not a CSRF failure
def not_found_view(request, *args, **kwargs):
    """JSON 404 for any unknown /api/ path (Django's handler404 and Wagtail's pages would answer HTML)."""
    return api_error_response(404)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: JSON under /api/, Django's page elsewhere (the admin's forms)."""
    if is_api_request(request):
        return api_error_response(403, "permission_denied", "Requête refusée : jeton CSRF absent ou invalide.")
    from django.views.csrf import csrf_failure as django_csrf_failure

    return django_csrf_failure(request, reason=reason)


def _handler(status_code: int, django_view):
    def handler(request, *args, **kwargs):
        if is_api_request(request):
            # Django calls handler500 inside its `except` block: a store outage raised by a middleware is a 503.
            if status_code == 500 and isinstance(sys.exc_info()[1], OUTAGE_ERRORS):
                return api_error_response(503)
            if status_code == 400 and isinstance(sys.exc_info()[1], RequestDataTooBig | TooManyFieldsSent):
                return api_error_response(413)
            return api_error_response(status_code)
        return django_view(request, *args, **kwargs)

    return handler


class ApiErrorMiddleware:
    """Under /api/: a store outage anywhere outside our views (middleware, Wagtail's routing) answers a JSON
    503 instead of an HTML 500; any other error response Django renders there is already JSON (handlers)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_api_request(request) and isinstance(exception, OUTAGE_ERRORS):
            logger.warning("store unreachable during an API request: %s", exception.__class__.__name__)
            return api_error_response(503)
        return None


def handlers():
    """The handler400/403/404/500 of config/urls.py."""
    from django.views import defaults

    return (
        _handler(400, defaults.bad_request),
        _handler(403, defaults.permission_denied),
        _handler(404, defaults.page_not_found),
        _handler(500, defaults.server_error),
    )
