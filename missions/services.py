"""Every write about missions, and the one state machine of their statuses.

Keyword-only functions, each under one transaction. Each status change goes through `_move`, which refuses
what `TRANSITIONS` does not allow (a clear French message) and records who and when (`MissionTransition`).
E-mails are enqueued on the task queue once the transaction commits (`missions.notifications`), never sent
inside a request. Logs name people by id only.
"""

import logging
import re
import uuid
from datetime import datetime, timedelta

from django.contrib.auth import authenticate
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from cms.models import ModulePage, Theme
from merchants import services as merchant_services
from merchants.models import MerchantProfile
from merchants.services import MerchantError, normalise_email
from missions import notifications
from missions.geography import arrondissement_label
from missions.models import (
    Appointment,
    Message,
    Mission,
    MissionTransition,
    Mode,
    NotificationPreference,
    Role,
    SchoolReferent,
    StudentHelper,
)

logger = logging.getLogger(__name__)

Status = Mission.Status


class MissionError(MerchantError):
    """A request about a mission the domain refuses (the API answers 400 in its error shape)."""


class InvalidTransition(MissionError):
    pass


class NotAllowed(MissionError):
    """The person is not the one who may do this on this mission (the API answers 403)."""


# --- The state machine -------------------------------------------------------------------------

OPEN = (Status.NEW, Status.PROPOSED, Status.MATCHED, Status.IN_PROGRESS)
TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (Status.NEW, Status.PROPOSED): frozenset({Role.COORDINATOR}),
    (Status.PROPOSED, Status.MATCHED): frozenset({Role.STUDENT}),
    # Declined by the student, or the proposal withdrawn by the coordination: the request waits again.
    (Status.PROPOSED, Status.NEW): frozenset({Role.STUDENT, Role.COORDINATOR}),
    (Status.MATCHED, Status.NEW): frozenset({Role.COORDINATOR}),
    # The first session both sides agreed on starts the mission.
    (Status.MATCHED, Status.IN_PROGRESS): frozenset({Role.STUDENT, Role.MERCHANT}),
    (Status.IN_PROGRESS, Status.DONE): frozenset({Role.STUDENT, Role.COORDINATOR}),
    **{(status, Status.CANCELLED): frozenset({Role.MERCHANT, Role.COORDINATOR, Role.SYSTEM}) for status in OPEN},
}
TIMESTAMP = {
    Status.PROPOSED: "proposed_at",
    Status.MATCHED: "matched_at",
    Status.IN_PROGRESS: "started_at",
    Status.DONE: "done_at",
    Status.CANCELLED: "cancelled_at",
}


def allowed_transitions(*, current: str, role: str) -> list[str]:
    return [to for (frm, to), roles in TRANSITIONS.items() if frm == current and role in roles]


def transition_error(*, current: str, new: str, role: str) -> str | None:
    """Why `role` may not move a mission from `current` to `new` (None when it may)."""
    roles = TRANSITIONS.get((current, new))
    if roles is None:
        possible = ", ".join(f"« {Status(to).label} »" for frm, to in TRANSITIONS if frm == current) or "aucun"
        return (
            f"Impossible de passer une mission « {Status(current).label} » à « {Status(new).label} ». "
            f"Statuts possibles depuis celui-ci : {possible}."
        )
    if role not in roles:
        who = ", ".join(str(Role(r).label).lower() for r in sorted(roles))
        return f"Passer une mission à « {Status(new).label} » est réservé à : {who}."
    return None


def _move(mission: Mission, new: str, *, actor, role: str, student=None, reason: str = "") -> Mission:
    """The one place a status changes. `mission` must be locked (select_for_update) by the caller."""
    error = transition_error(current=mission.status, new=new, role=role)
    if error:
        raise InvalidTransition(error, {"status": [error]})
    now = timezone.now()
    previous = mission.status
    if new == Status.PROPOSED:
        mission.student = student
    if new == Status.NEW:
        mission.student, mission.proposed_at, mission.matched_at = None, None, None
    if new in (Status.DONE, Status.CANCELLED):
        mission.closed_at = now
    setattr(mission, TIMESTAMP.get(new, "updated_at"), now)
    mission.status = new
    mission.save()
    MissionTransition.objects.create(
        mission=mission,
        from_status=previous,
        to_status=new,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_role=role,
        student=student or mission.student,
        reason=reason[:300],
        at=now,
    )
    logger.info("mission id=%s %s -> %s by role=%s", mission.pk, previous, new, role)
    return mission


def _locked(mission: Mission) -> Mission:
    # of=("self",): PostgreSQL cannot lock the nullable side of the outer join to a not-yet-matched student
    return (
        Mission.objects.select_for_update(of=("self",))
        .select_related("student__user", "merchant__user")
        .get(pk=mission.pk)
    )


def _check_student(mission: Mission, user) -> None:
    if mission.student is None or mission.student.user_id != user.pk:
        raise NotAllowed("Cette mission ne vous est pas proposée.")


# --- The merchant asks -------------------------------------------------------------------------


@transaction.atomic
def request_help(
    *,
    merchant: MerchantProfile,
    need: str,
    theme: Theme | None = None,
    module: ModulePage | None = None,
    availability: str = "",
    preferred_mode: str = Mode.IN_SHOP,
    opening_hours: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    shop_address: str = "",
) -> Mission:
    """A new request on a theme, or on a module (its theme then applies when none is given). The trade and
    arrondissement are copied from the profile: they stay on the record if the merchant later leaves."""
    theme = theme or (module.theme if module else None)
    if theme is None:
        raise MissionError("Précisez le thème ou le module concerné.", {"theme": ["Ce champ est obligatoire."]})
    sector = merchant.sector
    mission = Mission.objects.create(
        merchant=merchant,
        theme=theme,
        module=module,
        need=need,
        availability=availability,
        preferred_mode=preferred_mode,
        opening_hours=opening_hours,
        contact_name=contact_name,
        contact_phone=contact_phone,
        contact_email=contact_email,
        shop_address=shop_address,
        trade_label=sector.name if sector else "",
        postcode=merchant.postcode,
        arrondissement=arrondissement_label(merchant.postcode),
    )
    MissionTransition.objects.create(
        mission=mission, from_status="", to_status=Status.NEW, actor=merchant.user, actor_role=Role.MERCHANT
    )
    notifications.on_commit(notifications.NEW_REQUEST, mission_id=mission.pk)
    logger.info("mission requested id=%s user_id=%s", mission.pk, merchant.user_id)
    return mission


@transaction.atomic
def cancel_mission(*, mission: Mission, actor, role: str, reason: str = "") -> Mission:
    mission = _locked(mission)
    student = mission.student
    was_proposed_or_active = mission.status in (Status.PROPOSED, Status.MATCHED, Status.IN_PROGRESS)
    _move(mission, Status.CANCELLED, actor=actor, role=role, reason=reason)
    mission.appointments.filter(status__in=[Appointment.Status.PROPOSED, Appointment.Status.SCHEDULED]).update(
        status=Appointment.Status.CANCELLED
    )
    if student is not None and was_proposed_or_active:
        notifications.on_commit(notifications.CANCELLED, mission_id=mission.pk, student_id=student.pk)
    return mission


@transaction.atomic
def rate_mission(*, mission: Mission, satisfaction: int, comment: str = "") -> Mission:
    """The merchant's rating once the mission is done (a new rating replaces the previous one)."""
    mission = _locked(mission)
    if mission.status != Status.DONE:
        raise InvalidTransition(
            "Vous pourrez noter l'accompagnement une fois la mission terminée.",
            {"status": [f"La mission est « {mission.get_status_display()} »."]},
        )
    if not 1 <= satisfaction <= 5:
        raise MissionError("Une note va de 1 à 5.", {"satisfaction": ["Une note va de 1 à 5."]})
    mission.satisfaction = satisfaction
    mission.satisfaction_comment = comment
    mission.rated_at = timezone.now()
    mission.save(update_fields=["satisfaction", "satisfaction_comment", "rated_at", "updated_at"])
    return mission


# --- The coordination matches --------------------------------------------------------------------


@transaction.atomic
def propose_student(*, mission: Mission, student: StudentHelper, coordinator, note: str = "") -> Mission:
    """The coordination proposes the mission to a student, who is told by e-mail and accepts or declines."""
    mission = _locked(mission)
    if student.user_id is None or not student.user.is_active:
        raise MissionError(
            "Cet étudiant n'a pas encore de compte actif : il ne pourrait pas répondre.",
            {"student": ["Créez d'abord le compte de l'étudiant."]},
        )
    if not student.active:
        raise MissionError(
            "Cet étudiant n'est pas disponible pour de nouvelles missions.", {"student": ["Étudiant indisponible."]}
        )
    _move(mission, Status.PROPOSED, actor=coordinator, role=Role.COORDINATOR, student=student, reason=note)
    notifications.on_commit(notifications.PROPOSAL, mission_id=mission.pk, student_id=student.pk)
    return mission


@transaction.atomic
def withdraw_student(*, mission: Mission, coordinator, reason: str = "") -> Mission:
    """The coordination takes the mission back from a student who cannot go on; the request waits again."""
    return _move(_locked(mission), Status.NEW, actor=coordinator, role=Role.COORDINATOR, reason=reason)


@transaction.atomic
def update_coordinator_notes(*, mission: Mission, notes: str) -> Mission:
    mission = _locked(mission)
    mission.coordinator_notes = notes
    mission.save(update_fields=["coordinator_notes", "updated_at"])
    return mission


# --- The student answers and works -------------------------------------------------------------


@transaction.atomic
def accept_mission(*, mission: Mission, user) -> Mission:
    mission = _locked(mission)
    _check_student(mission, user)
    _move(mission, Status.MATCHED, actor=user, role=Role.STUDENT)
    notifications.on_commit(notifications.ACCEPTED, mission_id=mission.pk)
    return mission


@transaction.atomic
def decline_mission(*, mission: Mission, user, reason: str = "") -> Mission:
    mission = _locked(mission)
    _check_student(mission, user)
    student = mission.student
    _move(mission, Status.NEW, actor=user, role=Role.STUDENT, student=student, reason=reason)
    notifications.on_commit(notifications.DECLINED, mission_id=mission.pk, student_id=student.pk)
    return mission


@transaction.atomic
def complete_mission(*, mission: Mission, user) -> Mission:
    """The student marks the mission done: at least one session must have its report."""
    mission = _locked(mission)
    _check_student(mission, user)
    if mission.status == Status.IN_PROGRESS and not mission.appointments.filter(reported_at__isnull=False).exists():
        raise MissionError(
            "Rédigez le compte rendu d'au moins une séance avant de terminer la mission.",
            {"status": ["Aucun compte rendu de séance."]},
        )
    _move(mission, Status.DONE, actor=user, role=Role.STUDENT)
    _count_as_engagement(mission)
    notifications.on_commit(notifications.RATING_REQUEST, mission_id=mission.pk)
    return mission


@transaction.atomic
def close_mission_as_done(*, mission: Mission, coordinator) -> Mission:
    """The coordination closes a mission the student could not close (e.g. left the school)."""
    mission = _locked(mission)
    _move(mission, Status.DONE, actor=coordinator, role=Role.COORDINATOR)
    _count_as_engagement(mission)
    notifications.on_commit(notifications.RATING_REQUEST, mission_id=mission.pk)
    return mission


def _count_as_engagement(mission: Mission) -> None:
    """A finished mission on a module is the merchant's completion of it for the recommender — only with
    their consent. One event per mission (its id derives from the mission), so it is never counted twice."""
    merchant = mission.merchant
    if mission.module_id is None or merchant is None or not merchant.personalisation_consent:
        return
    event_id = uuid.uuid5(uuid.NAMESPACE_URL, f"eleasud:mission:{mission.pk}")
    outcomes = merchant_services.record_events(
        merchant=merchant,
        events=[merchant_services.EventInput(event_id=event_id, module=mission.module.slug, kind="completed")],
    )
    if outcomes and outcomes[0].status in ("created", "duplicate"):
        mission.counted_as_engagement = True
        mission.save(update_fields=["counted_as_engagement", "updated_at"])


# --- Sessions ----------------------------------------------------------------------------------

MIN_NOTICE = timedelta(hours=1)


def _role_on(mission: Mission, user) -> str:
    """Merchant or student of this mission (the only two who plan sessions)."""
    if mission.merchant is not None and mission.merchant.user_id == user.pk:
        return Role.MERCHANT
    if mission.student is not None and mission.student.user_id == user.pk:
        return Role.STUDENT
    raise NotAllowed("Seuls le commerçant et l'étudiant de la mission organisent les séances.")


@transaction.atomic
def propose_appointment(
    *, mission: Mission, user, starts_at: datetime, mode: str, duration_minutes: int = 60
) -> Appointment:
    """One side proposes a slot; the other confirms it. In the shop, it must be during opening hours (the
    merchant wrote them on the request; the form reminds the student)."""
    mission = _locked(mission)
    role = _role_on(mission, user)
    if not mission.is_active:
        raise InvalidTransition(
            f"On ne planifie une séance que pour une mission acceptée (celle-ci est « {mission.get_status_display()} »).",
            {"status": ["Mission non active."]},
        )
    if starts_at < timezone.now() + MIN_NOTICE:
        raise MissionError(
            "Proposez une séance au moins une heure à l'avance.", {"starts_at": ["Date passée ou trop proche."]}
        )
    appointment = Appointment.objects.create(
        mission=mission, starts_at=starts_at, duration_minutes=duration_minutes, mode=mode, proposed_by=role
    )
    notifications.on_commit(
        notifications.APPOINTMENT_PROPOSED, mission_id=mission.pk, appointment_id=appointment.pk, to_role=_other(role)
    )
    return appointment


def _other(role: str) -> str:
    return Role.MERCHANT if role == Role.STUDENT else Role.STUDENT


def _locked_appointment(appointment: Appointment) -> tuple[Appointment, Mission]:
    mission = _locked(appointment.mission)
    return Appointment.objects.select_for_update().get(pk=appointment.pk), mission


@transaction.atomic
def confirm_appointment(*, appointment: Appointment, user) -> Appointment:
    """The other side agrees to the slot: it is scheduled (and the first one starts the mission); a reminder
    is scheduled for the day before."""
    appointment, mission = _locked_appointment(appointment)
    role = _role_on(mission, user)
    if appointment.status != Appointment.Status.PROPOSED:
        raise InvalidTransition(
            f"Cette séance est « {appointment.get_status_display()} » : il n'y a rien à confirmer.",
            {"status": ["Séance déjà traitée."]},
        )
    if appointment.proposed_by == role:
        raise MissionError("C'est à l'autre partie de confirmer le créneau que vous avez proposé.")
    if not mission.is_active:
        raise InvalidTransition("La mission n'est plus active.", {"status": ["Mission non active."]})
    appointment.status = Appointment.Status.SCHEDULED
    appointment.save(update_fields=["status"])
    if mission.status == Status.MATCHED:
        _move(mission, Status.IN_PROGRESS, actor=user, role=role)
    notifications.schedule_reminder(appointment)
    return appointment


@transaction.atomic
def cancel_appointment(*, appointment: Appointment, user) -> Appointment:
    appointment, mission = _locked_appointment(appointment)
    _role_on(mission, user)
    if appointment.status not in (Appointment.Status.PROPOSED, Appointment.Status.SCHEDULED):
        raise InvalidTransition(
            f"Cette séance est « {appointment.get_status_display()} » : elle ne peut plus être annulée.",
            {"status": ["Séance terminée ou annulée."]},
        )
    appointment.status = Appointment.Status.CANCELLED
    appointment.save(update_fields=["status"])
    return appointment


@transaction.atomic
def report_appointment(*, appointment: Appointment, user, done: str, minutes: int, next_step: str = "") -> Appointment:
    """The student's short report once the session has begun: what was set up, time spent, next step."""
    appointment, mission = _locked_appointment(appointment)
    _check_student(mission, user)
    if appointment.status not in (Appointment.Status.SCHEDULED, Appointment.Status.HELD):
        raise InvalidTransition(
            "Seule une séance planifiée peut recevoir un compte rendu.", {"status": ["Séance non planifiée."]}
        )
    if appointment.starts_at > timezone.now():
        raise MissionError(
            "Vous pourrez rédiger le compte rendu une fois la séance commencée.", {"starts_at": ["Séance à venir."]}
        )
    if mission.status not in (Status.IN_PROGRESS, Status.DONE):
        raise InvalidTransition("La mission n'est pas en cours.", {"status": ["Mission non en cours."]})
    appointment.report_done = done
    appointment.report_minutes = minutes
    appointment.report_next_step = next_step
    appointment.reported_at = timezone.now()
    appointment.save(update_fields=["report_done", "report_minutes", "report_next_step", "reported_at"])
    return appointment


@transaction.atomic
def confirm_appointment_held(*, appointment: Appointment, user) -> Appointment:
    """The merchant confirms the session took place (it then counts in the student's hours)."""
    appointment, mission = _locked_appointment(appointment)
    if _role_on(mission, user) != Role.MERCHANT:
        raise NotAllowed("C'est au commerçant de confirmer que la séance a eu lieu.")
    if appointment.status != Appointment.Status.SCHEDULED:
        raise InvalidTransition(
            f"Cette séance est « {appointment.get_status_display()} » : elle ne peut pas être confirmée.",
            {"status": ["Séance non planifiée."]},
        )
    if appointment.starts_at > timezone.now():
        raise MissionError("Cette séance n'a pas encore eu lieu.", {"starts_at": ["Séance à venir."]})
    appointment.status = Appointment.Status.HELD
    appointment.merchant_confirmed_at = timezone.now()
    appointment.save(update_fields=["status", "merchant_confirmed_at"])
    return appointment


# --- Referents -----------------------------------------------------------------------------------


@transaction.atomic
def validate_hours(*, mission: Mission, referent: SchoolReferent) -> Mission:
    """The school referent validates the hours of a finished mission of one of their students."""
    mission = _locked(mission)
    if mission.student is None or mission.student.school_id != referent.school_id:
        raise NotAllowed("Cette mission ne concerne pas un élève de votre établissement.")
    if mission.status != Status.DONE:
        raise InvalidTransition(
            "Les heures se valident une fois la mission terminée.",
            {"status": [f"La mission est « {mission.get_status_display()} »."]},
        )
    mission.hours_validated_at = timezone.now()
    mission.hours_validated_by = referent
    mission.save(update_fields=["hours_validated_at", "hours_validated_by", "updated_at"])
    return mission


# --- Messages ----------------------------------------------------------------------------------

# A phone number (French or international) or an e-mail address in a student's message: contact stays on the
# platform, many students are minors.
CONTACT_PATTERN = re.compile(
    r"[\w.+-]+@[\w-]+\.[\w.-]+|(?:\+33|0033|\b0)\s*[1-9](?:[\s.-]*\d{2}){4}\b|\b(?:whatsapp|snap(?:chat)?|insta(?:gram)?)\b",
    re.IGNORECASE,
)


@transaction.atomic
def post_message(*, mission: Mission, author, role: str, body: str) -> Message:
    mission = _locked(mission)
    body = body.strip()
    if not body:
        raise MissionError("Écrivez un message.", {"body": ["Ce champ ne peut pas être vide."]})
    if role == Role.STUDENT and CONTACT_PATTERN.search(body):
        raise MissionError(
            "Pour la sécurité de chacun, les échanges restent sur la plateforme : "
            "retirez le numéro de téléphone, l'adresse e-mail ou le réseau social de votre message.",
            {"body": ["Pas de coordonnées personnelles dans les messages."]},
        )
    if mission.status == Status.CANCELLED or (mission.status == Status.NEW and role == Role.STUDENT):
        raise InvalidTransition("Cette mission n'accepte plus de messages.", {"status": ["Mission fermée."]})
    return Message.objects.create(mission=mission, author=author, author_role=role, body=body)


# --- Students' and referents' accounts ----------------------------------------------------------


def member_role(user) -> str | None:
    """ "student" or "referent" for an account of the students' space, None for anyone else. A merchant, an
    editor (staff, superuser, any group, admin access) never acts as a student or referent."""
    if user is None or not user.is_active or user.is_staff or user.is_superuser:
        return None
    cached = getattr(user, "_mission_role", False)
    if cached is not False:
        return cached
    role = None
    neither_merchant_nor_editor = (
        not hasattr(user, "merchant_profile")
        and not user.groups.exists()
        and not user.has_perm(merchant_services.ADMIN_ACCESS_PERMISSION)
    )
    if neither_merchant_nor_editor:
        if StudentHelper.objects.filter(user=user).exists():
            role = Role.STUDENT
        elif SchoolReferent.objects.filter(user=user).exists():
            role = Role.REFERENT
    user._mission_role = role
    return role


def is_member(user) -> bool:
    return member_role(user) is not None


@transaction.atomic
def log_in_member(*, email: str, password: str) -> merchant_services.IssuedTokens:
    """Tokens for a student or a referent; any other account is refused like a wrong password."""
    user = authenticate(username=normalise_email(email), password=password)
    if not is_member(user):
        logger.info("member login refused")
        raise merchant_services.InvalidCredentials("Adresse e-mail ou mot de passe incorrect.")
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    logger.info("member logged in user_id=%s", user.pk)
    return merchant_services.open_session(user)


def refresh_member_session(*, refresh_token: str) -> merchant_services.IssuedTokens:
    return merchant_services.refresh_session(refresh_token=refresh_token, may_sign_in=is_member)


@transaction.atomic
def set_email_preferences(*, user, reminders: bool) -> NotificationPreference:
    preference, _ = NotificationPreference.objects.get_or_create(user=user)
    preference.reminders = reminders
    preference.save()
    return preference


# --- Erasure -------------------------------------------------------------------------------------


def anonymise_merchant_missions(*, user) -> int:
    """Before a merchant's account goes: open missions are cancelled, every mission loses what identifies the
    merchant (their words, shared contacts, comment, the coordination's notes, the message thread, the admin
    history) and keeps trade, arrondissement, dates, hours and rating. Idempotent; returns missions touched."""
    from wagtail.models import ModelLogEntry

    merchant = MerchantProfile.objects.filter(user_id=user.pk).first()
    if merchant is None:
        return 0
    missions = list(Mission.objects.select_for_update().filter(merchant=merchant))
    for mission in missions:
        if mission.status in OPEN:
            _move(mission, Status.CANCELLED, actor=None, role=Role.SYSTEM, reason="Compte du commerçant supprimé.")
    ids = [mission.pk for mission in missions]
    Mission.objects.filter(pk__in=ids).update(
        merchant=None,
        need="",
        availability="",
        opening_hours="",
        contact_name="",
        contact_phone="",
        contact_email="",
        shop_address="",
        satisfaction_comment="",
        coordinator_notes="",
    )
    Message.objects.filter(mission_id__in=ids).delete()
    MissionTransition.objects.filter(mission_id__in=ids, actor=user).update(actor=None)
    MissionTransition.objects.filter(mission_id__in=ids, actor_role=Role.MERCHANT).update(reason="")
    ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Mission), object_id__in=[str(pk) for pk in ids]
    ).delete()
    return len(ids)
