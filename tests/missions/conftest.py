"""The four sides of a mission, each signed in its own way: merchants (their API token), students and
referents (the students' space token), coordinators (Wagtail admin session, "Coordinateurs" group)."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from rest_framework.test import APIClient

from missions import services
from missions.models import Appointment, Mission
from tests.factories import MEMBER_PASSWORD, ReferentFactory, SchoolFactory, StudentFactory, UserFactory
from tests.merchants.conftest import (  # noqa: F401 - fixtures
    _generous_auth_throttle,
    editor,
    make_merchant,
    merchant,
    other_merchant,
)

HELP = "/api/v1/me/help-requests/"
ESPACE = "/api/v1/espace/missions/"


@dataclass
class Member:
    user: object
    record: object  # StudentHelper or SchoolReferent
    client: APIClient


def signed_in(user, record) -> Member:
    client = APIClient()
    tokens = client.post(
        "/api/v1/espace/auth/login/", {"email": user.email, "password": MEMBER_PASSWORD}, format="json"
    ).json()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    return Member(user, record, client)


@pytest.fixture
def school(db):
    return SchoolFactory(name="Lycée professionnel Le Chatelier", postcode="13003")


@pytest.fixture
def other_school(db):
    return SchoolFactory(name="Lycée Denis Diderot", postcode="13013")


@pytest.fixture
def student(school):
    record = StudentFactory(first_name="Yasmine", last_name="Benali", school=school, themes=["vendre-en-ligne"])
    return signed_in(record.user, record)


@pytest.fixture
def other_student(other_school):
    record = StudentFactory(first_name="Hugo", last_name="Martin", school=other_school, themes=["vendre-en-ligne"])
    return signed_in(record.user, record)


@pytest.fixture
def referent(school):
    record = ReferentFactory(school=school, display_name="Mme Durand")
    return signed_in(record.user, record)


@pytest.fixture
def other_referent(other_school):
    record = ReferentFactory(school=other_school, display_name="M. Roux")
    return signed_in(record.user, record)


@pytest.fixture
def coordinator(db):
    group, _ = Group.objects.get_or_create(name="Coordinateurs")
    group.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
        *Permission.objects.filter(content_type__app_label="missions"),
    )
    user = UserFactory(username="coordination@eleasud.fr", is_staff=True)
    user.groups.add(group)
    return user


def ask(asker, **fields):
    payload = {
        "theme": "vendre-en-ligne",
        "message": "Je voudrais lancer le click & collect.",
        "availability": "Le lundi matin",
        "preferred_mode": "in_shop",
        "opening_hours": "Du mardi au samedi, 8 h – 19 h",
        "contact_name": "Mme Martin",
        "contact_phone": "04 91 00 00 00",
        "shop_address": "12 rue de la République, 13002 Marseille",
        **fields,
    }
    payload = {key: value for key, value in payload.items() if value is not None}
    response = asker.client.post(HELP, payload, format="json")
    assert response.status_code == 201, response.content
    return Mission.objects.get(pk=response.json()["id"])


def held_session(mission, *, minutes=90, report="Fiche Google créée, horaires et photos ajoutés."):
    """A session that took place yesterday, as the API would have left it (scheduled, then reported)."""
    appointment = Appointment.objects.create(
        mission=mission,
        starts_at=timezone.now() - timedelta(days=1),
        mode="in_shop",
        proposed_by="student",
        status="scheduled",
    )
    if report:
        appointment.report_done = report
        appointment.report_minutes = minutes
        appointment.report_next_step = "Publier le premier post."
        appointment.reported_at = timezone.now()
        appointment.save()
    return appointment


@pytest.fixture
def mission_for(coordinator):
    """A mission of `owner` (a signed-in merchant) in the given state, with `student` (through the services)."""

    def make(owner, student, state):
        mission = _make(owner, student, state)
        return Mission.objects.select_related("student__user", "merchant__user").get(pk=mission.pk)

    def _make(owner, student, state):
        mission = ask(owner)
        if state == "new":
            return mission
        services.propose_student(mission=mission, student=student.record, coordinator=coordinator)
        if state == "proposed":
            return mission
        services.accept_mission(mission=mission, user=student.user)
        if state == "matched":
            return mission
        Mission.objects.filter(pk=mission.pk).update(status="in_progress", started_at=timezone.now())
        held_session(mission)
        if state == "in_progress":
            return mission
        services.complete_mission(mission=mission, user=student.user)
        return mission

    return make
