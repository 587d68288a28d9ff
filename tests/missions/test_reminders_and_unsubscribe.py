"""The day-before reminder (a task enqueued to run then, which checks the session still stands) and the
unsubscribe link of non-essential e-mails (the e-mails that matter still go)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from missions import notifications, services
from missions.models import Appointment
from tests.missions.conftest import ESPACE, HELP

pytestmark = pytest.mark.django_db


def test_agreeing_on_a_session_schedules_its_reminder_for_the_day_before(
    merchant, student, mission_for, django_capture_on_commit_callbacks, run_task_worker
):
    mission = mission_for(merchant, student, "matched")
    starts_at = timezone.now() + timedelta(days=3)
    session = Appointment.objects.create(mission=mission, starts_at=starts_at, mode="video", proposed_by="student")
    with django_capture_on_commit_callbacks(execute=True):
        assert merchant.client.post(f"{HELP}{mission.pk}/sessions/{session.pk}/confirm/").status_code == 200
    [reminder] = DBTaskResult.objects.filter(task_path__endswith="send_session_reminder")
    assert reminder.run_after == starts_at - timedelta(days=1)
    run_task_worker()  # not due yet: nothing sent
    assert not [m for m in mail.outbox if "Rappel" in m.subject]

    # When it runs: both sides are reminded, once.
    before = len(mail.outbox)
    notifications.send_session_reminder.call(appointment_id=session.pk, starts_at=starts_at.isoformat())
    notifications.send_session_reminder.call(appointment_id=session.pk, starts_at=starts_at.isoformat())
    run_task_worker()
    reminders = [m for m in mail.outbox[before:] if m.subject.startswith("Rappel : séance demain")]
    assert sorted(m.to[0] for m in reminders) == sorted([merchant.email, student.user.email])
    assert all("/emails/desabonnement/" in m.body for m in reminders)


def test_a_moved_or_cancelled_session_gets_no_reminder(merchant, student, mission_for, run_task_worker):
    mission = mission_for(merchant, student, "matched")
    starts_at = timezone.now() + timedelta(days=3)
    session = Appointment.objects.create(
        mission=mission, starts_at=starts_at, mode="video", proposed_by="student", status="scheduled"
    )
    Appointment.objects.filter(pk=session.pk).update(starts_at=starts_at + timedelta(hours=2))
    assert notifications.send_session_reminder.call(appointment_id=session.pk, starts_at=starts_at.isoformat()) == 0
    Appointment.objects.filter(pk=session.pk).update(starts_at=starts_at, status="cancelled")
    assert notifications.send_session_reminder.call(appointment_id=session.pk, starts_at=starts_at.isoformat()) == 0


def test_unsubscribing_stops_rating_requests_but_not_what_matters(
    client, merchant, student, mission_for, django_capture_on_commit_callbacks, run_task_worker
):
    token = notifications.unsubscribe_token(merchant.profile.user)
    page = client.get(f"/emails/desabonnement/{token}/")
    assert page.status_code == 200 and "Ne plus recevoir ces e-mails" in page.content.decode()
    assert client.post(f"/emails/desabonnement/{token}/").status_code == 200
    assert client.get("/emails/desabonnement/faux-jeton/").status_code == 404

    mission = mission_for(merchant, student, "proposed")
    with django_capture_on_commit_callbacks(execute=True):
        student.client.post(f"{ESPACE}{mission.pk}/accept/")  # essential: still sent
    run_task_worker()
    assert [m.to for m in mail.outbox if "a accepté" in m.subject] == [[merchant.email]]
    ongoing = mission_for(merchant, student, "in_progress")
    with django_capture_on_commit_callbacks(execute=True):
        services.complete_mission(mission=ongoing, user=student.user)  # a rating request: non-essential
    run_task_worker()
    assert not [m for m in mail.outbox if "Votre avis" in m.subject]
