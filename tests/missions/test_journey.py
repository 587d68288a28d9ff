"""A mission from the merchant's request to the referent's validation, through HTTP for every side, with the
e-mail each transition sends (read from the outbox once the task has run) and the history it records."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from missions.models import Appointment, Mission, MissionTransition
from tests.missions.conftest import ESPACE, HELP, ask

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(django_capture_on_commit_callbacks, run_task_worker):
    """Runs a call as a request would (its on-commit work included), then the task queue's worker, and returns
    the response and the e-mails the worker sent."""

    def run(call):
        before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            response = call()
        run_task_worker()
        return response, mail.outbox[before:]

    return run


def test_the_whole_mission_from_request_to_validated_hours(merchant, student, referent, coordinator, client, sent):
    # 1. The merchant asks: the coordination is told.
    response, emails = sent(
        lambda: merchant.client.post(
            HELP,
            {
                "theme": "vendre-en-ligne",
                "message": "Je voudrais lancer le click & collect.",
                "preferred_mode": "in_shop",
                "opening_hours": "Du mardi au samedi, 8 h – 19 h",
                "contact_phone": "04 91 00 00 00",
            },
            format="json",
        )
    )
    assert response.status_code == 201
    mission_id = response.json()["id"]
    assert [e.to for e in emails] == [["coordination@eleasud.fr"]]
    assert "Nouvelle demande d'accompagnement" in emails[0].subject
    assert f"/admin/missions/edit/{mission_id}/" in emails[0].body
    assert "click & collect" in emails[0].body  # plain text, not HTML-escaped

    # 2. The coordination proposes Yasmine in the admin: she is told; the merchant does not see her yet.
    client.force_login(coordinator)
    edit = reverse("mission:edit", args=[mission_id])
    page = client.get(edit).content.decode()
    assert "Yasmine Benali" in page and "boulangerie.martin@exemple.fr" in page  # who the merchant is
    response, emails = sent(lambda: client.post(edit, {"action": "propose", "student": student.record.pk}))
    assert response.status_code == 302
    assert [e.to for e in emails] == [[student.user.email]] and "Une mission vous est proposée" in emails[0].subject
    assert merchant.client.get(f"{HELP}{mission_id}/").json()["helper"] is None

    # 3. Yasmine reads it: the need, the trade and the arrondissement; no contact before she accepts.
    listed = student.client.get(ESPACE).json()
    assert listed["count"] == 1
    body = listed["results"][0]
    assert body["status"] == "proposed" and body["need"] == "Je voudrais lancer le click & collect."
    assert body["merchant_contact"] is None

    # 4. She accepts: the merchant is told who she is (first name, school), never how to reach her.
    response, emails = sent(lambda: student.client.post(f"{ESPACE}{mission_id}/accept/"))
    assert response.status_code == 200 and response.json()["status"] == "matched"
    assert response.json()["merchant_contact"]["phone"] == "04 91 00 00 00"
    assert [e.to for e in emails] == [[merchant.email]] and "Yasmine B." in emails[0].body
    seen_by_merchant = merchant.client.get(f"{HELP}{mission_id}/")
    assert seen_by_merchant.json()["helper"] == {"name": "Yasmine B.", "school": "Lycée professionnel Le Chatelier"}
    assert student.user.email not in seen_by_merchant.content.decode()
    assert "Benali" not in seen_by_merchant.content.decode()

    # 5. She proposes a session; the merchant is told and agrees: the mission is in progress.
    starts_at = (timezone.localtime() + timedelta(days=3)).replace(hour=10, minute=0, second=0, microsecond=0)
    response, emails = sent(
        lambda: student.client.post(
            f"{ESPACE}{mission_id}/sessions/", {"starts_at": starts_at.isoformat(), "mode": "in_shop"}, format="json"
        )
    )
    assert response.status_code == 201
    session_id = response.json()["id"]
    assert [e.to for e in emails] == [[merchant.email]] and "Nouvelle séance proposée" in emails[0].subject
    confirmed = merchant.client.post(f"{HELP}{mission_id}/sessions/{session_id}/confirm/")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "scheduled"
    assert merchant.client.get(f"{HELP}{mission_id}/").json()["status"] == "in_progress"

    # 6. The session took place: she writes the report, the merchant confirms it happened.
    Appointment.objects.filter(pk=session_id).update(starts_at=timezone.now() - timedelta(hours=2))
    report = student.client.post(
        f"{ESPACE}{mission_id}/sessions/{session_id}/report/",
        {"done": "Click & collect activé sur la fiche Google.", "minutes": 90, "next_step": "Former l'équipe."},
        format="json",
    )
    assert report.status_code == 200 and report.json()["report"]["minutes"] == 90
    held = merchant.client.post(f"{HELP}{mission_id}/sessions/{session_id}/held/")
    assert held.status_code == 200 and held.json()["status"] == "held"

    # 7. She marks it done: the merchant is asked for a rating (with an unsubscribe link); contacts are gone.
    response, emails = sent(lambda: student.client.post(f"{ESPACE}{mission_id}/done/"))
    assert response.status_code == 200 and response.json()["status"] == "done"
    assert response.json()["merchant_contact"] is None
    assert [e.to for e in emails] == [[merchant.email]] and "/emails/desabonnement/" in emails[0].body
    assert emails[0].extra_headers["List-Unsubscribe"].startswith("<http")
    html = emails[0].alternatives[0][0]
    assert "Ne plus recevoir ce type de message" in html and "Yasmine B." in html

    # 8. The merchant rates; the referent validates the hours.
    rated = merchant.client.post(f"{HELP}{mission_id}/rating/", {"satisfaction": 5}, format="json")
    assert rated.status_code == 200 and rated.json()["satisfaction"] == 5
    assert rated.json()["hours"] == {"reported_hours": 1.5, "confirmed_hours": 1.5}
    validated = referent.client.post(f"{ESPACE}{mission_id}/validate-hours/")
    assert validated.status_code == 200 and validated.json()["hours_validated_at"]
    assert validated.json()["student"] == {"first_name": "Yasmine", "last_name": "Benali"}

    # Every status change is recorded, with who and when.
    history = list(MissionTransition.objects.filter(mission_id=mission_id).values_list("to_status", "actor_role"))
    assert history == [
        ("new", "merchant"),
        ("proposed", "coordinator"),
        ("matched", "student"),
        ("in_progress", "merchant"),
        ("done", "student"),
    ]
    assert all(t.at and t.actor_id for t in MissionTransition.objects.filter(mission_id=mission_id))


def test_a_declined_proposal_goes_back_to_the_queue_and_the_coordination_is_told(
    merchant, student, coordinator, mission_for, sent
):
    mission = mission_for(merchant, student, "proposed")
    response, emails = sent(
        lambda: student.client.post(
            f"{ESPACE}{mission.pk}/decline/", {"reason": "Je suis en stage ce mois-ci."}, format="json"
        )
    )
    assert response.status_code == 200
    assert [e.to for e in emails] == [[coordinator.email]] and "déclinée" in emails[0].subject
    mission.refresh_from_db()
    assert mission.status == "new" and mission.student is None
    assert student.client.get(f"{ESPACE}{mission.pk}/").status_code == 404  # no longer theirs
    last = MissionTransition.objects.filter(mission=mission).last()
    assert (last.to_status, last.actor_role, last.reason) == ("new", "student", "Je suis en stage ce mois-ci.")


def test_a_merchant_cancels_and_the_student_is_told(merchant, student, mission_for, sent):
    mission = mission_for(merchant, student, "matched")
    response, emails = sent(lambda: merchant.client.post(f"{HELP}{mission.pk}/cancel/"))
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert [e.to for e in emails] == [[student.user.email]] and "Mission annulée" in emails[0].subject


def test_the_module_can_offer_a_prefilled_request_and_its_theme_applies(merchant, api_client):
    module = api_client.get("/api/v1/modules/rgpd-les-bases/").json()
    assert module["student_help"] is True
    mission = ask(merchant, theme=None, module="rgpd-les-bases")
    assert mission.theme.slug == "se-proteger" and mission.module.slug == "rgpd-les-bases"


def test_nothing_is_sent_when_the_transaction_rolls_back(
    merchant, student, mission_for, django_capture_on_commit_callbacks
):
    mission = mission_for(merchant, student, "proposed")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = student.client.post(f"{ESPACE}{mission.pk}/done/")  # illegal: refused, nothing enqueued
    assert response.status_code == 400 and callbacks == []
    assert Mission.objects.get(pk=mission.pk).status == "proposed"
