"""Serializers of missions, for the three sides that read them through the API: the merchant (their help
requests), the student (missions proposed to or accepted by them) and the school referent.

What each side sees is decided here and nowhere else: a merchant sees the student's first name and school,
never a contact; a student sees the merchant's shared contact details only while the mission is active; a
referent sees their students' missions without the merchant's contact details. Nobody sees the
coordination's internal notes.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import EmailValidator
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.merchant_serializers import ModuleRefSerializer, PublishedModuleField, TaxonomySlugField, ThemeRefSerializer
from missions import selectors
from missions.models import Appointment, Mission, Mode, Role

ROLE_LABELS = {
    Role.MERCHANT: "Le commerçant",
    Role.STUDENT: "L'étudiant",
    Role.REFERENT: "Le référent de l'établissement",
    Role.COORDINATOR: "La coordination EleaSud",
    Role.SYSTEM: "La plateforme",
}


class HoursSerializer(serializers.Serializer):
    reported_hours = serializers.FloatField(help_text="Reported by the student in session reports.")
    confirmed_hours = serializers.FloatField(help_text="Of which the merchant confirmed the session took place.")


class AppointmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField()
    mode = serializers.ChoiceField(choices=Mode.choices)
    mode_label = serializers.CharField(source="get_mode_display")
    status = serializers.ChoiceField(choices=Appointment.Status.choices)
    status_label = serializers.CharField(source="get_status_display")
    proposed_by = serializers.ChoiceField(choices=Role.choices)
    report = serializers.SerializerMethodField()
    merchant_confirmed_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {
                "done": {"type": "string"},
                "minutes": {"type": "integer"},
                "next_step": {"type": "string"},
                "reported_at": {"type": "string", "format": "date-time"},
            },
        }
    )
    def get_report(self, appointment):
        if appointment.reported_at is None:
            return None
        return {
            "done": appointment.report_done,
            "minutes": appointment.report_minutes,
            "next_step": appointment.report_next_step,
            "reported_at": serializers.DateTimeField().to_representation(appointment.reported_at),
        }


class MessageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author_role = serializers.ChoiceField(choices=Role.choices)
    author = serializers.SerializerMethodField(help_text="Who wrote it, as the reader should see it (French).")
    mine = serializers.SerializerMethodField()
    body = serializers.CharField()
    sent_at = serializers.DateTimeField(source="created_at")

    def get_author(self, message) -> str:
        if self.get_mine(message):
            return "Vous"
        if message.author_role == Role.STUDENT and message.mission.student:
            return f"{message.mission.student.public_name} (étudiant)"
        return ROLE_LABELS[message.author_role]

    def get_mine(self, message) -> bool:
        user = self.context.get("user")
        return user is not None and message.author_id == user.pk


class StudentRefSerializer(serializers.Serializer):
    name = serializers.CharField(source="public_name", help_text="First name and initial only.")
    school = serializers.CharField(source="school.name")


class MissionBaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    theme = ThemeRefSerializer()
    module = ModuleRefSerializer(allow_null=True)
    availability = serializers.CharField()
    preferred_mode = serializers.ChoiceField(choices=Mode.choices)
    preferred_mode_label = serializers.CharField(source="get_preferred_mode_display")
    opening_hours = serializers.CharField()
    status = serializers.ChoiceField(choices=Mission.Status.choices)
    status_label = serializers.CharField(source="get_status_display")
    created_at = serializers.DateTimeField()
    matched_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    satisfaction = serializers.IntegerField(allow_null=True)
    hours = serializers.SerializerMethodField()
    sessions = AppointmentSerializer(many=True, source="appointments.all")
    messages = serializers.SerializerMethodField()

    @extend_schema_field(HoursSerializer)
    def get_hours(self, mission):
        return HoursSerializer(selectors.hours_of(mission)).data

    @extend_schema_field(MessageSerializer(many=True))
    def get_messages(self, mission):
        messages = list(mission.messages.all())
        for message in messages:
            message.mission = mission  # already loaded: no query per message
        return MessageSerializer(messages, many=True, context=self.context).data


# --- The merchant's help requests ----------------------------------------------------------------


class HelpRequestCreateSerializer(serializers.Serializer):
    theme = TaxonomySlugField(kind="themes", required=False, help_text="Theme slug; inferred from the module.")
    module = PublishedModuleField(required=False, allow_null=True, help_text="Slug of a published module.")
    message = serializers.CharField(max_length=2000, help_text="The need, in the merchant's own words.")
    availability = serializers.CharField(
        max_length=300, required=False, default="", allow_blank=True, help_text='When, e.g. "le lundi matin".'
    )
    preferred_mode = serializers.ChoiceField(
        choices=Mode.choices, default=Mode.IN_SHOP, help_text="In the shop (during opening hours), phone or video."
    )
    opening_hours = serializers.CharField(
        max_length=200,
        required=False,
        default="",
        allow_blank=True,
        help_text="When the shop is open: in-shop sessions take place then.",
    )
    contact_name = serializers.CharField(max_length=120, required=False, default="", allow_blank=True)
    contact_phone = serializers.CharField(max_length=30, required=False, default="", allow_blank=True)
    contact_email = serializers.CharField(
        max_length=254, required=False, default="", allow_blank=True, help_text="An e-mail address, or empty."
    )
    shop_address = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)

    def validate_contact_email(self, value):
        if value:
            try:
                EmailValidator()(value)
            except DjangoValidationError as error:
                raise serializers.ValidationError("Saisissez une adresse e-mail valide.") from error
        return value

    def validate(self, attrs):
        if not attrs.get("theme") and not attrs.get("module"):
            raise serializers.ValidationError({"theme": ["Précisez le thème ou le module concerné."]})
        attrs["need"] = attrs.pop("message")
        return attrs


class SharedContactSerializer(serializers.Serializer):
    name = serializers.CharField(source="contact_name")
    phone = serializers.CharField(source="contact_phone")
    email = serializers.CharField(source="contact_email")
    address = serializers.CharField(source="shop_address")


class HelpRequestSerializer(MissionBaseSerializer):
    """A help request as its merchant sees it."""

    message = serializers.CharField(source="need")
    helper = StudentRefSerializer(source="student", allow_null=True, help_text="The student, once they accepted.")
    shared_contact = SharedContactSerializer(source="*", help_text="What the merchant chose to share.")
    satisfaction_comment = serializers.CharField()

    def to_representation(self, mission):
        data = super().to_representation(mission)
        if mission.status in (Mission.Status.NEW, Mission.Status.PROPOSED, Mission.Status.CANCELLED):
            data["helper"] = None  # a proposal is not an answer yet; the merchant sees who only once accepted
        return data


class HelpRatingSerializer(serializers.Serializer):
    satisfaction = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)


# --- Students and referents ----------------------------------------------------------------------


class StudentMissionSerializer(MissionBaseSerializer):
    """A mission as its student sees it: the need, trade and arrondissement; the shared contacts while active."""

    need = serializers.CharField()
    trade = serializers.CharField(source="trade_label")
    arrondissement = serializers.CharField()
    merchant_contact = serializers.SerializerMethodField(
        help_text="Only while the mission is active (accepted or in progress), only what the merchant shared."
    )
    proposed_at = serializers.DateTimeField(allow_null=True)
    done_at = serializers.DateTimeField(allow_null=True)
    hours_validated_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(SharedContactSerializer(allow_null=True))
    def get_merchant_contact(self, mission):
        if not mission.is_active or mission.merchant_id is None:
            return None
        return SharedContactSerializer(mission).data


class ReferentStudentSerializer(serializers.Serializer):
    first_name = serializers.CharField()
    last_name = serializers.CharField()


class ReferentMissionSerializer(MissionBaseSerializer):
    need = serializers.CharField()
    trade = serializers.CharField(source="trade_label")
    arrondissement = serializers.CharField()
    student = ReferentStudentSerializer()
    done_at = serializers.DateTimeField(allow_null=True)
    hours_validated_at = serializers.DateTimeField(allow_null=True)


class MemberLoginSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class MemberSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices, help_text="`student` or `referent`.")
    name = serializers.CharField()
    school = serializers.CharField()
    email = serializers.EmailField()


class AppointmentCreateSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField(help_text="ISO 8601 with an offset; at least one hour from now.")
    duration_minutes = serializers.IntegerField(min_value=15, max_value=240, default=60)
    mode = serializers.ChoiceField(choices=Mode.choices)

    def validate_starts_at(self, value):
        return timezone.localtime(value)


class ReportSerializer(serializers.Serializer):
    done = serializers.CharField(max_length=2000, help_text="What was set up.")
    minutes = serializers.IntegerField(min_value=5, max_value=480, help_text="Time spent.")
    next_step = serializers.CharField(max_length=1000, required=False, default="", allow_blank=True)


class MessageCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=2000)


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)
