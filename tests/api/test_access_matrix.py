"""Who may call what: every /api/v1/ operation × every role, from one table.

Roles are clients: anonymous, merchant A (who owns the objects in the paths), merchant B (another merchant),
editor (a superuser signed in to the admin: their session cookie must mean nothing to the merchant API).
To add a role (students, referents…), add a factory to ROLE_CLIENTS and a column to the rules that differ.
Operations without a row follow the rule their schema's `security` implies (token-only → MERCHANT_OWN,
none → PUBLIC), so a new endpoint is covered the day it appears; give it a row when it needs a body or differs.
"""

import uuid

import pytest
from rest_framework.test import APIClient

from cms.models import ModulePage
from missions import services as mission_services

from .conftest import PASSWORD, _schema, concrete

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "merchant_a", "merchant_b", "editor")

# Expected answers per role: a set of statuses, or "ok" (any 2xx), or "not 401/403" (reachable, the answer
# depends on the body), for each rule.
OK = "ok"
REACHABLE = "reachable"
SIGNED_IN = "signed in"  # authenticated and authorised; the object's state decides the rest (400/404/409…)
PUBLIC = {"anonymous": OK, "merchant_a": OK, "merchant_b": OK, "editor": OK}
PUBLIC_FORM = {role: REACHABLE for role in ROLES}  # sign-in forms: anyone may try
MERCHANT_OWN = {"anonymous": {401}, "merchant_a": OK, "merchant_b": OK, "editor": {401}}
# Paths naming merchant A's object: B gets a 404, exactly as for an id that does not exist.
MERCHANT_OBJECT = {"anonymous": {401}, "merchant_a": SIGNED_IN, "merchant_b": {404}, "editor": {401}}
# The students' and referents' space: a merchant's token or an editor's session means nothing there.
MEMBERS_ONLY = {role: {401} for role in ROLES}
# Staff with the permission reach it (then a query parameter may still be missing: 400), merchants never.
PARTNERS_AND_STAFF = {"anonymous": {401, 403}, "merchant_a": {403}, "merchant_b": {403}, "editor": REACHABLE}


def module_slug():
    return ModulePage.objects.live().order_by("pk").first().slug


# (method, path) → (rule, body factory or None). Bodies are valid requests for merchant A.
RULES = {
    ("POST", "/api/v1/auth/login/"): (PUBLIC_FORM, lambda ctx: {"email": ctx["email"], "password": PASSWORD}),
    ("POST", "/api/v1/auth/register/"): (
        PUBLIC_FORM,
        lambda ctx: {"email": f"{uuid.uuid4().hex[:8]}@exemple.fr", "password": PASSWORD},
    ),
    # an unknown refresh token: the same 401 for anyone (the caller's cookie or token changes nothing)
    ("POST", "/api/v1/auth/refresh/"): ({role: {401} for role in ROLES}, lambda ctx: {"refresh": "er_nope"}),
    ("POST", "/api/v1/auth/password-reset/"): (PUBLIC_FORM, lambda ctx: {"email": ctx["email"]}),
    ("POST", "/api/v1/auth/password-reset/confirm/"): (
        PUBLIC_FORM,
        lambda ctx: {"uid": "x", "token": "y", "new_password": "Calanques-et-Navettes-2027"},
    ),
    ("POST", "/api/v1/auth/logout/"): (MERCHANT_OWN, lambda ctx: {"everywhere": False}),
    ("POST", "/api/v1/auth/password/"): (
        MERCHANT_OWN,  # each merchant changes their own password, never another's (no account in the URL)
        lambda ctx: {"current_password": PASSWORD, "new_password": "Calanques-et-Navettes-2027"},
    ),
    ("DELETE", "/api/v1/me/"): (MERCHANT_OWN, lambda ctx: {"password": PASSWORD}),
    ("POST", "/api/v1/me/diagnostic/"): (
        {**MERCHANT_OWN, "merchant_a": {201, 400}, "merchant_b": {201, 400}},
        lambda ctx: {"answers": {}},
    ),
    ("POST", "/api/v1/me/events/"): (
        MERCHANT_OWN,
        lambda ctx: {"event_id": str(uuid.uuid4()), "module": module_slug(), "kind": "viewed"},
    ),
    ("POST", "/api/v1/me/help-requests/"): (
        MERCHANT_OWN,
        lambda ctx: {
            "module": module_slug(),
            "message": "Aide",
            "contact_name": "Martin",
            "contact_phone": "0491000000",
        },
    ),
    ("PUT", "/api/v1/me/profile/"): (
        MERCHANT_OWN,
        lambda ctx: {
            "business_name": "",
            "sector": None,
            "size_band": "",
            "postcode": "",
            "capabilities": [],
            "goals": [],
            "personalisation_consent": True,
        },
    ),
    ("PATCH", "/api/v1/me/profile/"): (MERCHANT_OWN, lambda ctx: {"business_name": "Chez B"}),
    ("GET", "/api/v1/me/help-requests/{id}/"): ({**MERCHANT_OBJECT, "merchant_a": OK}, None),
    ("POST", "/api/v1/me/help-requests/{id}/cancel/"): (MERCHANT_OBJECT, None),
    ("POST", "/api/v1/me/help-requests/{id}/rating/"): (MERCHANT_OBJECT, lambda ctx: {"satisfaction": 5}),
    ("POST", "/api/v1/espace/auth/login/"): (
        {role: {401} for role in ROLES},  # not a member's credentials, whoever asks
        lambda ctx: {"email": ctx["email"], "password": PASSWORD},
    ),
    ("POST", "/api/v1/espace/auth/refresh/"): ({role: {401} for role in ROLES}, lambda ctx: {"refresh": "er_nope"}),
    ("GET", "/api/v1/observatory/aggregates/"): (PARTNERS_AND_STAFF, None),
    ("GET", "/api/v1/observatory/aggregates.csv"): (PARTNERS_AND_STAFF, None),
    ("GET", "/api/v1/observatory/codebook/"): (PARTNERS_AND_STAFF, None),
}


def operations() -> list[tuple[str, str, dict]]:
    """Every documented operation with its rule (explicit, or implied by its security)."""
    result = []
    for path, methods in _schema()["paths"].items():
        for method, operation in methods.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            key = (method.upper(), path)
            if key in RULES:
                rule = RULES[key][0]
            else:
                security = [scheme for requirement in operation.get("security", [{}]) for scheme in requirement]
                rule = {"merchantToken": MERCHANT_OWN, "memberToken": MEMBERS_ONLY}.get(
                    "".join(security), PUBLIC if not security else None
                )
                assert rule is not None, f"{key}: add a row to RULES for its security {security}"
                if "{id}" in path and rule is MERCHANT_OWN:
                    # an action on A's object may check B's body before looking the object up: 400 or 404
                    rule = MERCHANT_OBJECT if method == "get" else {**MERCHANT_OBJECT, "merchant_b": {400, 404}}
            result.append((*key, rule))
    return sorted(result, key=lambda item: (item[1], item[0]))


@pytest.fixture
def world(make_merchant, editor):
    a = make_merchant()
    b = make_merchant()
    module = ModulePage.objects.live().order_by("pk").first()
    help_request = mission_services.request_help(merchant=a.profile, need="Aidez-moi", module=module)
    editor_client = APIClient()
    editor_client.force_login(editor)
    return {
        "clients": {"anonymous": APIClient(), "merchant_a": a.client, "merchant_b": b.client, "editor": editor_client},
        "values": {"id": help_request.pk, "slug": module.slug, "session_id": 999_999},
        "email": a.email,
        "a": a,
    }


def pytest_generate_tests(metafunc):
    if "operation" in metafunc.fixturenames:
        ops = operations()
        metafunc.parametrize(
            "operation,role", [((m, p, r), role) for m, p, r in ops for role in ROLES], ids=lambda v: str(v)
        )


def matches(status: int, expected) -> bool:
    if expected == OK:
        return 200 <= status < 300
    if expected == REACHABLE:
        return status not in (401, 403) and status < 500
    if expected == SIGNED_IN:
        return status != 401 and status < 500
    return status in expected


def test_access_matrix(world, operation, role):
    method, path, rule = operation
    body_factory = RULES.get((method, path), (None, None))[1]
    body = body_factory(world) if body_factory else None
    client = world["clients"][role]
    url = concrete(path, world["values"])
    response = client.generic(
        method, url, data=None if body is None else __import__("json").dumps(body), content_type="application/json"
    )
    assert matches(response.status_code, rule[role]), (method, path, role, response.status_code, response.content[:200])
    if role == "merchant_b" and response.status_code == 200 and "json" in response.get("Content-Type", ""):
        assert world["email"] not in response.content.decode(), "merchant B sees merchant A's data"
    if response.status_code >= 400:
        assert set(response.json()) == {"error"}
