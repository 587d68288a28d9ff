"""Reads about missions: who sees which (the authorisation matrix lives here, one queryset per role), the
students suggested for a request, a mission's hours, the merchant's export and the agency's figures."""

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from statistics import median

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from merchants.models import MerchantProfile
from missions.geography import distance_km
from missions.models import Appointment, Message, Mission, SchoolReferent, StudentHelper

Status = Mission.Status
ACTIVE = (Status.MATCHED, Status.IN_PROGRESS)
COUNTED = (Appointment.Status.SCHEDULED, Appointment.Status.HELD)


def _with_details(missions: QuerySet[Mission]) -> QuerySet[Mission]:
    # Everything the API's mission serializers read: a list costs the same queries at any length.
    return missions.select_related(
        "theme", "module__theme", "student__school", "merchant__user", "hours_validated_by"
    ).prefetch_related(
        Prefetch("appointments", queryset=Appointment.objects.order_by("starts_at", "id")),
        Prefetch("messages", queryset=Message.objects.order_by("created_at", "id")),
    )


# --- Who sees what -------------------------------------------------------------------------------


def missions_for_merchant(*, merchant: MerchantProfile) -> QuerySet[Mission]:
    return _with_details(Mission.objects.filter(merchant=merchant))


def missions_for_student(*, user) -> QuerySet[Mission]:
    """Only the missions proposed to or accepted by this student (a declined one is gone from the list)."""
    return _with_details(Mission.objects.filter(student__user=user))


def missions_for_referent(*, user) -> QuerySet[Mission]:
    """Only the missions of the referent's school's students."""
    return _with_details(Mission.objects.filter(student__school__referents__user=user)).distinct()


def missions_for_coordinator() -> QuerySet[Mission]:
    return _with_details(Mission.objects.all())


def referent_for(*, user) -> SchoolReferent | None:
    return SchoolReferent.objects.select_related("school").filter(user=user).first()


def student_for(*, user) -> StudentHelper | None:
    return StudentHelper.objects.select_related("school").filter(user=user).first()


# --- Hours ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hours:
    reported_minutes: int
    confirmed_minutes: int  # sessions the merchant confirmed as held

    @property
    def reported_hours(self) -> float:
        return round(self.reported_minutes / 60, 1)

    @property
    def confirmed_hours(self) -> float:
        return round(self.confirmed_minutes / 60, 1)


def hours_of(mission: Mission) -> Hours:
    """From the (prefetched) sessions: the time the student reported, and the part the merchant confirmed."""
    appointments = [a for a in mission.appointments.all() if a.reported_at and a.status in COUNTED]
    return Hours(
        reported_minutes=sum(a.report_minutes or 0 for a in appointments),
        confirmed_minutes=sum(a.report_minutes or 0 for a in appointments if a.status == Appointment.Status.HELD),
    )


# --- Suggestions for the coordination --------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    student: StudentHelper
    distance_km: float
    active_missions: int
    has_account: bool
    score: float

    @property
    def reasons(self) -> str:
        load = f"{self.active_missions}/{self.student.max_active_missions} mission(s) en cours"
        account = "" if self.has_account else " · pas encore de compte"
        return f"{self.student.school.name} · ≈ {self.distance_km:g} km · {load}{account}"


def suggested_students(*, mission: Mission, limit: int = 10) -> list[Suggestion]:
    """Active students who master the request's theme and have room for one more mission, best first.

    The score adds the distance from the shop to the student's school (one point per km) and the share of
    their capacity already used (ten points when full): the nearest, least busy student comes first; a
    student without an account (who could not answer) comes last."""
    students = (
        StudentHelper.objects.filter(active=True, themes=mission.theme)
        .select_related("school", "user")
        .annotate(active_missions=Count("missions", filter=Q(missions__status__in=ACTIVE + (Status.PROPOSED,))))
    )
    suggestions = []
    for student in students:
        if student.active_missions >= student.max_active_missions:
            continue
        distance = distance_km(mission.postcode, student.school.postcode)
        has_account = student.user_id is not None and student.user.is_active
        score = distance + 10 * student.active_missions / student.max_active_missions + (0 if has_account else 1000)
        suggestions.append(Suggestion(student, distance, student.active_missions, has_account, round(score, 2)))
    suggestions.sort(key=lambda s: (s.score, s.student.first_name, s.student.pk))
    return suggestions[:limit]


def new_requests_queue() -> QuerySet[Mission]:
    """Requests waiting for a student, oldest first (the coordination's queue)."""
    return Mission.objects.filter(status=Status.NEW).select_related("theme").order_by("created_at", "id")


# --- The merchant's export -----------------------------------------------------------------------


def export_for_merchant(*, merchant: MerchantProfile) -> dict:
    """The merchant's missions with their sessions and messages. The coordination's internal notes are not
    the merchant's data about themselves and stay out; a student appears by first name and school only."""
    return {
        "missions": [
            {
                "id": mission.pk,
                "theme": mission.theme.slug,
                "module": mission.module.slug if mission.module else None,
                "need": mission.need,
                "availability": mission.availability,
                "preferred_mode": mission.preferred_mode,
                "opening_hours": mission.opening_hours,
                "shared_contact": {
                    "name": mission.contact_name,
                    "phone": mission.contact_phone,
                    "email": mission.contact_email,
                    "address": mission.shop_address,
                },
                "trade": mission.trade_label,
                "arrondissement": mission.arrondissement,
                "status": mission.status,
                "student": (
                    {"name": mission.student.public_name, "school": mission.student.school.name}
                    if mission.student
                    else None
                ),
                "created_at": mission.created_at,
                "matched_at": mission.matched_at,
                "closed_at": mission.closed_at,
                "satisfaction": mission.satisfaction,
                "satisfaction_comment": mission.satisfaction_comment,
                "sessions": [
                    {
                        "starts_at": appointment.starts_at,
                        "duration_minutes": appointment.duration_minutes,
                        "mode": appointment.mode,
                        "status": appointment.status,
                        "report": appointment.report_done,
                        "minutes_spent": appointment.report_minutes,
                        "next_step": appointment.report_next_step,
                        "confirmed_at": appointment.merchant_confirmed_at,
                    }
                    for appointment in mission.appointments.all()
                ],
                "messages": [
                    {"from": message.author_role, "body": message.body, "sent_at": message.created_at}
                    for message in mission.messages.all()
                ],
            }
            for mission in missions_for_merchant(merchant=merchant).order_by("created_at", "id")
        ]
    }


# --- The agency's figures ------------------------------------------------------------------------

SMALL_CELL = 5  # a satisfaction average over fewer ratings is not shown (it could single out a merchant)


@dataclass(frozen=True)
class MonthFigures:
    month: str  # "2026-11"
    asked: int
    matched: int
    done: int


@dataclass(frozen=True)
class Figures:
    asked: int
    waiting: int
    matched: int
    done: int
    cancelled: int
    median_days_to_match: float | None
    completion_rate: float | None  # done / (done + cancelled after matching)
    satisfaction_mean: float | None
    ratings: int
    satisfaction_counts: dict[int, int]
    months: list[MonthFigures]


def figures(*, months: int = 6) -> Figures:
    """Asked, matched, done, time to match, completion and satisfaction, with the last months for charts."""
    rows = list(
        Mission.objects.values_list("status", "created_at", "matched_at", "done_at", "satisfaction", "started_at")
    )
    matched = [r for r in rows if r[2] is not None]
    done = [r for r in rows if r[0] == Status.DONE]
    ended_after_match = [r for r in rows if r[0] == Status.CANCELLED and r[5] is not None]
    rated = [r[4] for r in rows if r[4] is not None]
    delays = [(r[2] - r[1]).total_seconds() / 86400 for r in matched]
    counts = Counter(rated)
    now = timezone.localtime()
    month_keys = []
    cursor = now.replace(day=1)
    for _ in range(months):
        month_keys.append(cursor.strftime("%Y-%m"))
        cursor = (cursor - timedelta(days=1)).replace(day=1)
    month_keys.reverse()

    def in_month(value, key):
        return value is not None and timezone.localtime(value).strftime("%Y-%m") == key

    return Figures(
        asked=len(rows),
        waiting=sum(1 for r in rows if r[0] == Status.NEW),
        matched=len(matched),
        done=len(done),
        cancelled=sum(1 for r in rows if r[0] == Status.CANCELLED),
        median_days_to_match=round(median(delays), 1) if delays else None,
        completion_rate=(
            round(len(done) / (len(done) + len(ended_after_match)), 2) if done or ended_after_match else None
        ),
        satisfaction_mean=round(sum(rated) / len(rated), 1) if len(rated) >= SMALL_CELL else None,
        ratings=len(rated),
        satisfaction_counts={score: counts.get(score, 0) for score in range(1, 6)},
        months=[
            MonthFigures(
                key,
                sum(1 for r in rows if in_month(r[1], key)),
                sum(1 for r in rows if in_month(r[2], key)),
                sum(1 for r in rows if in_month(r[3], key)),
            )
            for key in month_keys
        ],
    )


def student_load() -> QuerySet[StudentHelper]:
    return StudentHelper.objects.annotate(
        active_missions=Count("missions", filter=Q(missions__status__in=ACTIVE)),
        minutes=Sum("missions__appointments__report_minutes"),
    )
