"""Help requests and student helpers move from merchants to missions: each helper becomes a student of a school
(created from the school's name), each help request a mission with its status, dates and rating, and an
opening entry in its history. The reverse copies them back."""

from django.db import migrations

RESUMED = "Reprise d'une demande d'accompagnement existante."


def forward(apps, schema_editor):
    OldHelper = apps.get_model("merchants", "StudentHelper")
    OldRequest = apps.get_model("merchants", "HelpRequest")
    School = apps.get_model("missions", "School")
    Student = apps.get_model("missions", "StudentHelper")
    Mission = apps.get_model("missions", "Mission")
    Transition = apps.get_model("missions", "MissionTransition")

    students = {}
    for helper in OldHelper.objects.all():
        school, _ = School.objects.get_or_create(name=helper.school.strip() or "Établissement non précisé")
        first, _, last = helper.name.strip().partition(" ")
        student = Student.objects.create(
            first_name=first or helper.name,
            last_name=last,
            school=school,
            availability=helper.availability,
            active=helper.active,
            created_at=helper.created_at,
        )
        student.themes.set(helper.themes.all())
        students[helper.pk] = student

    for request in OldRequest.objects.select_related("merchant__sector").all():
        merchant = request.merchant
        student = students.get(request.helper_id)
        status = request.status
        if student is None and status in ("matched", "in_progress"):
            status = "new"  # the helper was deleted: the request waits for a new match
        mission = Mission.objects.create(
            merchant=merchant,
            theme_id=request.theme_id,
            module_id=request.module_id,
            need=request.message,
            availability=request.availability,
            preferred_mode="in_shop",
            trade_label=merchant.sector.name if merchant.sector_id else "",
            postcode=merchant.postcode,
            arrondissement=_arrondissement(merchant.postcode),
            status=status,
            student=student,
            coordinator_notes=request.staff_notes,
            matched_at=request.matched_at,
            done_at=request.closed_at if status == "done" else None,
            cancelled_at=request.closed_at if status == "cancelled" else None,
            closed_at=request.closed_at,
            satisfaction=request.satisfaction,
            satisfaction_comment=request.satisfaction_comment,
        )
        Mission.objects.filter(pk=mission.pk).update(created_at=request.created_at)
        Transition.objects.create(
            mission=mission, from_status="", to_status=status, actor_role="system", reason=RESUMED, at=request.created_at
        )


def _arrondissement(postcode):
    if postcode and postcode.startswith("130") and 1 <= int(postcode[-2:]) <= 16:
        number = int(postcode[-2:])
        return f"Marseille {number}{'er' if number == 1 else 'e'}"
    return f"code postal {postcode}" if postcode else ""


def backward(apps, schema_editor):
    OldHelper = apps.get_model("merchants", "StudentHelper")
    OldRequest = apps.get_model("merchants", "HelpRequest")
    Student = apps.get_model("missions", "StudentHelper")
    Mission = apps.get_model("missions", "Mission")
    helpers = {}
    for student in Student.objects.select_related("school"):
        helper = OldHelper.objects.create(
            name=f"{student.first_name} {student.last_name}".strip(),
            school=student.school.name,
            availability=student.availability,
            active=student.active,
            created_at=student.created_at,
        )
        helper.themes.set(student.themes.all())
        helpers[student.pk] = helper
    status_back = {"proposed": "new"}
    for mission in Mission.objects.exclude(merchant=None):
        OldRequest.objects.create(
            merchant_id=mission.merchant_id,
            theme_id=mission.theme_id,
            module_id=mission.module_id,
            message=mission.need,
            availability=mission.availability,
            status=status_back.get(mission.status, mission.status),
            helper=helpers.get(mission.student_id) if mission.status != "proposed" else None,
            staff_notes=mission.coordinator_notes,
            matched_at=mission.matched_at,
            closed_at=mission.closed_at,
            satisfaction=mission.satisfaction,
            satisfaction_comment=mission.satisfaction_comment,
            created_at=mission.created_at,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("missions", "0001_initial"),
        ("merchants", "0002_spent_refresh_tokens_event_indexes"),
    ]

    operations = [migrations.RunPython(forward, backward)]
