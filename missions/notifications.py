"""The French e-mails of missions: one per transition, delivered by the task queue, never in a request.

Services call `on_commit(kind, **ids)`: once the transaction commits (nothing is sent about a change that was
rolled back), the recipients are worked out and each e-mail is queued with `notifications.services.
send_templated_email` (templates `missions/emails/<kind>.subject.txt|.txt|.html`, context plain JSON); the
worker renders and sends it, with retries. Non-essential e-mails (reminders, rating requests) carry an
unsubscribe link and are not queued for people who used it. Reminders are tasks enqueued to run the day before
the session, which check at run time that the session still stands. A queue that cannot be reached degrades
the notification, never the request that triggered it.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django_tasks import task

from notifications.services import send_templated_email

logger = logging.getLogger(__name__)

NEW_REQUEST = "new_request"
PROPOSAL = "proposal"
ACCEPTED = "accepted"
DECLINED = "declined"
CANCELLED = "cancelled"
APPOINTMENT_PROPOSED = "appointment_proposed"
REMINDER = "reminder"
RATING_REQUEST = "rating_request"

# Reminders and rating requests can be turned off; the others carry what a person must know to go on.
NON_ESSENTIAL = {REMINDER, RATING_REQUEST}
COORDINATOR_PERMISSION = "missions.change_mission"
UNSUBSCRIBE_SALT = "missions.unsubscribe"


@dataclass(frozen=True)
class Recipient:
    user: object
    role: str  # merchant, student, coordinator


def on_commit(kind: str, **ids) -> None:
    transaction.on_commit(lambda: _enqueue(kind, ids))


def _enqueue(kind: str, ids: dict) -> None:
    try:
        notify(kind, ids)
    except Exception:  # noqa: BLE001 - a broken queue must not fail the request that triggered the e-mail
        logger.exception("mission e-mail not queued kind=%s ids=%s", kind, ids)


def schedule_reminder(appointment) -> None:
    """A reminder the day before the session (same hour), enqueued to run then; nothing when the session is
    less than a day away (both sides have just agreed on it) or the queue cannot defer."""
    run_after = appointment.starts_at - timedelta(days=1)
    if run_after <= timezone.now():
        return
    appointment_id, starts_at = appointment.pk, appointment.starts_at.isoformat()

    def enqueue():
        try:
            send_session_reminder.using(run_after=run_after).enqueue(appointment_id=appointment_id, starts_at=starts_at)
        except Exception:  # noqa: BLE001 - as above: the session stays planned, only the reminder is lost
            logger.exception("session reminder not scheduled appointment_id=%s", appointment_id)

    transaction.on_commit(enqueue)


def unsubscribe_token(user) -> str:
    return signing.dumps(user.pk, salt=UNSUBSCRIBE_SALT)


def user_for_unsubscribe_token(token: str):
    try:
        user_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return get_user_model().objects.filter(pk=user_id).first()


def coordinators():
    """Active staff who coordinate missions (the permission, directly or through a group), with an e-mail."""
    user_model = get_user_model()
    holds = Q(user_permissions__codename="change_mission", user_permissions__content_type__app_label="missions") | Q(
        groups__permissions__codename="change_mission", groups__permissions__content_type__app_label="missions"
    )
    return user_model.objects.filter(is_active=True).exclude(email="").filter(holds).distinct()


def _recipients(kind: str, mission, ids: dict) -> list[Recipient]:
    from missions.models import StudentHelper

    merchant_user = mission.merchant.user if mission.merchant else None
    student = StudentHelper.objects.select_related("user").filter(pk=ids.get("student_id")).first()
    student = student or mission.student
    student_user = student.user if student and student.user_id else None
    if kind in (NEW_REQUEST, DECLINED):
        return [Recipient(user, "coordinator") for user in coordinators()]
    if kind in (PROPOSAL, CANCELLED):
        return [Recipient(student_user, "student")] if student_user else []
    if kind in (ACCEPTED, RATING_REQUEST):
        return [Recipient(merchant_user, "merchant")] if merchant_user else []
    if kind == APPOINTMENT_PROPOSED:
        user = merchant_user if ids.get("to_role") == "merchant" else student_user
        return [Recipient(user, ids.get("to_role"))] if user else []
    if kind == REMINDER:
        return [Recipient(u, r) for u, r in ((merchant_user, "merchant"), (student_user, "student")) if u]
    raise ValueError(f"unknown e-mail kind {kind!r}")


def _wants(user, kind: str) -> bool:
    if kind not in NON_ESSENTIAL:
        return True
    preference = getattr(user, "mission_emails", None)
    return preference is None or preference.reminders


def _base_url() -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def _context(mission, appointment=None) -> dict:
    """What the templates print, as plain JSON (it waits in the task row until the worker renders it)."""
    base = _base_url()
    student = mission.student
    context = {
        "mission_id": mission.pk,
        "theme": mission.theme.name,
        "module_title": mission.module.title if mission.module else "",
        "trade": mission.trade_label,
        "arrondissement": mission.arrondissement,
        "mode": mission.get_preferred_mode_display(),
        "need": mission.need,
        "student_name": student.public_name if student else "",
        "school": student.school.name if student else "",
        "admin_url": base + reverse("mission:edit", args=[mission.pk]),
        "espace_url": f"{base}/espace/",
        "app_url": f"{base}/app/aide",
    }
    if appointment is not None:
        context.update(
            when=date_format(timezone.localtime(appointment.starts_at), "l j F Y à H:i"),
            duration=appointment.duration_minutes,
            session_mode=appointment.get_mode_display().lower(),
        )
    return context


def _queue(kind: str, mission, recipients: list[Recipient], appointment=None) -> int:
    queued = 0
    context = _context(mission, appointment)
    for recipient in recipients:
        user = recipient.user
        if not user.email or not user.is_active or not _wants(user, kind):
            continue
        unsubscribe_url = (
            _base_url() + reverse("missions-unsubscribe", args=[unsubscribe_token(user)])
            if kind in NON_ESSENTIAL
            else ""
        )
        send_templated_email(
            to=user.email,
            template=f"missions/emails/{kind}",
            context={**context, "role": recipient.role},
            unsubscribe_url=unsubscribe_url,
        )
        queued += 1
    logger.info("mission e-mail kind=%s mission_id=%s queued=%s", kind, mission.pk, queued)
    return queued


def notify(kind: str, ids: dict) -> int:
    """Queues one kind of e-mail about a mission for whoever it concerns now."""
    from missions.models import Appointment, Mission

    mission = (
        Mission.objects.select_related("merchant__user", "student__user", "student__school", "theme", "module")
        .filter(pk=ids["mission_id"])
        .first()
    )
    if mission is None:
        return 0
    appointment = None
    if "appointment_id" in ids:
        appointment = Appointment.objects.filter(pk=ids["appointment_id"]).first()
        if appointment is None:
            return 0
    return _queue(kind, mission, _recipients(kind, mission, ids), appointment)


@task(backend="background")
def send_session_reminder(*, appointment_id: int, starts_at: str) -> int:
    """The day-before reminder, to the merchant and the student; skipped when the session was cancelled or
    moved since (its start no longer matches) or the reminder already went."""
    from missions.models import Appointment

    with transaction.atomic():
        appointment = (
            Appointment.objects.select_for_update()
            .filter(pk=appointment_id, status=Appointment.Status.SCHEDULED, reminder_sent_at__isnull=True)
            .first()
        )
        if appointment is None or appointment.starts_at.isoformat() != starts_at:
            return 0
        appointment.reminder_sent_at = timezone.now()
        appointment.save(update_fields=["reminder_sent_at"])
        return notify(REMINDER, {"mission_id": appointment.mission_id, "appointment_id": appointment.pk})
