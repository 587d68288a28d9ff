"""Who may do what on a mission, endpoint by endpoint: a student only on missions proposed to or accepted by
them, a referent only on their school's students' missions, a merchant only on their own, coordinators on all
(in the admin). Someone else's mission reads as unknown (404); a role's token never opens another role's API
(401; an editor's session, 403); an action of another role on a visible mission is refused (403)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from missions.models import Appointment
from tests.missions.conftest import ESPACE, HELP

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(merchant, other_merchant, student, other_student, referent, other_referent, mission_for, editor):
    matched = mission_for(merchant, student, "matched")
    done = mission_for(merchant, student, "done")
    session = Appointment.objects.create(
        mission=matched, starts_at=timezone.now() + timedelta(days=2), mode="video", proposed_by="merchant"
    )
    clients = {
        "anonymous": APIClient(),
        "merchant": merchant.client,
        "other_merchant": other_merchant.client,
        "student": student.client,
        "other_student": other_student.client,
        "referent": referent.client,
        "other_referent": other_referent.client,
    }
    editor_client = APIClient()
    editor_client.force_authenticate(editor)  # an editor's session never opens the merchant or student API
    clients["editor"] = editor_client
    return {"matched": matched, "done": done, "session": session, "clients": clients}


ROLES = ["anonymous", "merchant", "other_merchant", "student", "other_student", "referent", "other_referent", "editor"]
# (method, path, expected status per role). {m}: the accepted mission, {d}: the done one, {s}: a session of {m}.
MATRIX = [
    ("get", HELP + "{m}/", [401, 200, 404, 401, 401, 401, 401, 403]),
    ("post", HELP + "{m}/messages/", [401, 201, 404, 401, 401, 401, 401, 403]),
    ("post", HELP + "{m}/sessions/{s}/held/", [401, 400, 404, 401, 401, 401, 401, 403]),
    ("post", HELP + "{d}/rating/", [401, 200, 404, 401, 401, 401, 401, 403]),
    ("get", ESPACE + "{m}/", [401, 401, 401, 200, 404, 200, 404, 403]),
    ("post", ESPACE + "{m}/messages/", [401, 401, 401, 201, 404, 201, 404, 403]),
    ("post", ESPACE + "{m}/sessions/", [401, 401, 401, 201, 404, 403, 403, 403]),
    ("post", ESPACE + "{m}/sessions/{s}/confirm/", [401, 401, 401, 200, 404, 403, 403, 403]),
    ("post", ESPACE + "{m}/accept/", [401, 401, 401, 400, 404, 403, 403, 403]),
    ("post", ESPACE + "{d}/validate-hours/", [401, 401, 401, 403, 403, 200, 404, 403]),
    ("get", ESPACE + "{d}/certificate/", [401, 401, 401, 200, 404, 200, 404, 403]),
]
BODIES = {
    "messages/": {"body": "Bonjour, à mercredi !"},
    "sessions/": {"starts_at": None, "mode": "video"},
    "rating/": {"satisfaction": 4},
}


@pytest.mark.parametrize(("method", "path", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, _ in MATRIX])
def test_each_endpoint_answers_each_role_as_the_matrix_says(world, method, path, expected):
    url = path.format(m=world["matched"].pk, d=world["done"].pk, s=world["session"].pk)
    body = next((b for suffix, b in BODIES.items() if url.endswith(suffix)), {})
    if "starts_at" in body:
        body = {**body, "starts_at": (timezone.now() + timedelta(days=3)).isoformat()}
    for role, status in zip(ROLES, expected, strict=True):
        response = getattr(world["clients"][role], method)(url, body, format="json")
        assert response.status_code == status, (role, method, url, response.content[:200])
        if status >= 400:
            assert set(response.json()) == {"error"}, (role, url)


@pytest.mark.parametrize(
    ("role", "count"),
    [("student", 2), ("other_student", 0), ("referent", 2), ("other_referent", 0)],
)
def test_lists_hold_only_what_the_role_may_see(world, role, count):
    response = world["clients"][role].get(ESPACE)
    assert response.status_code == 200 and response.json()["count"] == count


def test_the_merchant_list_holds_only_their_own(world):
    assert world["clients"]["merchant"].get(HELP).json()["count"] == 2
    assert world["clients"]["other_merchant"].get(HELP).json()["count"] == 0


def test_a_student_never_appears_to_a_merchant_with_a_contact_and_a_referent_never_sees_the_merchants(world):
    merchant_view = world["clients"]["merchant"].get(f"{HELP}{world['matched'].pk}/").content.decode()
    student = world["matched"].student
    for secret in (student.user.email, student.last_name):
        assert secret not in merchant_view
    referent_view = world["clients"]["referent"].get(f"{ESPACE}{world['matched'].pk}/").json()
    assert "merchant_contact" not in referent_view
    assert "04 91 00 00 00" not in str(referent_view)
    student_view = world["clients"]["student"].get(f"{ESPACE}{world['matched'].pk}/").json()
    assert student_view["merchant_contact"]["phone"] == "04 91 00 00 00"  # shared, mission active


def test_coordinators_see_every_mission_in_the_admin_and_no_one_else_does(world, client, coordinator, student):
    url = reverse("mission:edit", args=[world["matched"].pk])
    client.force_login(coordinator)
    assert client.get(url).status_code == 200
    assert client.get(reverse("mission:index")).status_code == 200
    assert client.get(reverse("missions_figures")).status_code == 200
    client.force_login(student.user)
    assert client.get(url).status_code == 302  # to the admin's login: no admin access
    assert client.get(reverse("missions_figures")).status_code == 302


def test_a_student_and_a_referent_cannot_sign_in_to_the_merchant_api_and_back(student, merchant):
    from tests.factories import MEMBER_PASSWORD
    from tests.merchants.conftest import PASSWORD

    anonymous = APIClient()
    merchant_login = anonymous.post(
        "/api/v1/auth/login/", {"email": student.user.email, "password": MEMBER_PASSWORD}, format="json"
    )
    assert merchant_login.status_code == 401
    member_login = anonymous.post(
        "/api/v1/espace/auth/login/", {"email": merchant.email, "password": PASSWORD}, format="json"
    )
    assert member_login.status_code == 401
