"""The coordination's admin over the demo data (`seed_demo_missions`: missions in every state): the queue with
each request's age, a mission's page that names the merchant and ranks students, no raw "None"/"True", the
figures page; and the demo logins printed like the editor's."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from missions.models import Mission, MissionTransition
from missions.selectors import suggested_students

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    out = StringIO()
    call_command("seed_demo_missions", stdout=out)
    return out.getvalue()


def test_the_demo_has_missions_in_every_state_and_prints_the_logins(demo):
    assert set(Mission.objects.values_list("status", flat=True)) == set(Mission.Status.values)
    assert "student: eleve-yasmine@exemple.invalid" in demo and "referent: referent-chatelier@exemple.invalid" in demo
    password = re.search(r"password: (\S+)", demo).group(1)
    call_command("seed_demo_missions", stdout=StringIO())  # again: no duplicate
    assert Mission.objects.filter(merchant__user__username="commerce-missions@exemple.invalid").count() == 6
    from rest_framework.test import APIClient

    login = APIClient().post(
        "/api/v1/espace/auth/login/", {"email": "eleve-yasmine@exemple.invalid", "password": password}, format="json"
    )
    assert login.status_code == 200


def test_the_coordinators_pages_name_people_and_print_no_raw_values(demo, client):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="coordination@exemple.invalid"))
    index = client.get(reverse("mission:index")).content.decode()
    assert "Épicerie fine du Panier — commerce-missions@exemple.invalid" in index
    assert "Commerçant n° " not in index
    for mission in Mission.objects.filter(merchant__user__username="commerce-missions@exemple.invalid"):
        page = client.get(reverse("mission:edit", args=[mission.pk])).content.decode()
        summary = page[page.index('class="mission-summary"') : page.index("<h3>Historique</h3>")]
        assert "None" not in summary and "True" not in summary and "False" not in summary
        assert "Close le" not in page and "commerce-missions@exemple.invalid" in summary
    waiting = Mission.objects.filter(status="new", merchant__user__username="commerce-missions@exemple.invalid").first()
    page = client.get(reverse("mission:edit", args=[waiting.pk])).content.decode()
    summary = page[page.index('class="mission-summary"') :]
    assert "Étudiants suggérés" in summary and "Inès Kaci" in summary and "km" in summary, summary[:3000]
    figures = client.get(reverse("missions_figures")).content.decode()
    assert "Délai médian de mise en relation" in figures and "File d'attente" in figures


def test_suggestions_rank_theme_skills_then_distance_and_load(demo):
    mission = Mission.objects.filter(status="new", theme__slug="vendre-en-ligne").first()
    ranked = suggested_students(mission=mission)
    assert ranked and all(mission.theme in s.student.themes.all() for s in ranked)
    assert [s.score for s in ranked] == sorted(s.score for s in ranked)


def test_the_coordinator_proposes_from_the_admin_and_the_history_names_them(demo, client):
    from django.contrib.auth import get_user_model

    coordinator = get_user_model().objects.get(username="coordination@exemple.invalid")
    client.force_login(coordinator)
    mission = Mission.objects.filter(status="new").first()
    student = suggested_students(mission=mission)[0].student
    refused = client.post(reverse("mission:edit", args=[mission.pk]), {"action": "cancel_nothing"})
    assert refused.status_code == 200
    done = client.post(reverse("mission:edit", args=[mission.pk]), {"action": "complete"})
    assert done.status_code == 200 and "Impossible de passer une mission" in done.content.decode()
    response = client.post(
        reverse("mission:edit", args=[mission.pk]),
        {"action": "propose", "student": student.pk, "coordinator_notes": "Appelée le 3."},
    )
    assert response.status_code == 302
    last = MissionTransition.objects.filter(mission=mission).last()
    assert (last.to_status, last.actor) == ("proposed", coordinator)
