"""Serializers of the merchant API: input validation (shapes, taxonomy slugs, passwords) and output shapes."""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cms import selectors as cms_selectors
from cms.models import ModulePage
from merchants.models import FRENCH_POSTCODE, EngagementEvent, SizeBand
from merchants.services import EventInput


class StrictBooleanField(serializers.BooleanField):
    """A JSON boolean: `true` or `false` only. DRF's BooleanField also takes 0, 1, "yes", "on"…, which the
    schema (type boolean) does not allow and a frontend should not rely on."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        self.fail("invalid", input=data)


# --- Reusable fields ---------------------------------------------------------------------------


def unknown_value_message(unknown: list[str], accepted: list[str]) -> str:
    return f"Valeur inconnue : {', '.join(unknown)}. Valeurs acceptées : {', '.join(accepted)}."


@extend_schema_field(OpenApiTypes.STR)
class TaxonomySlugField(serializers.Field):
    """One slug of a live taxonomy (themes, sectors, goals, capabilities, levels) ↔ the model instance.

    Terms editors add in the CMS are accepted at once; an unknown slug is refused with the accepted ones.
    """

    def __init__(self, *, kind: str, **kwargs):
        self.kind = kind
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError("Un slug (chaîne de caractères) est attendu.")
        term = cms_selectors.TAXONOMY_MODELS[self.kind].objects.filter(slug=data).first()
        if term is None:
            raise serializers.ValidationError(unknown_value_message([data], cms_selectors.known_slugs(self.kind)))
        return term

    def to_representation(self, value):
        return value.slug


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class TaxonomySlugsField(TaxonomySlugField):
    """A list of slugs of one taxonomy; every unknown slug is named in one message."""

    def to_internal_value(self, data):
        if not isinstance(data, list) or not all(isinstance(item, str) for item in data):
            raise serializers.ValidationError("Une liste de slugs est attendue.")
        slugs = list(dict.fromkeys(data))
        terms = list(cms_selectors.TAXONOMY_MODELS[self.kind].objects.filter(slug__in=slugs))
        unknown = sorted(set(slugs) - {term.slug for term in terms})
        if unknown:
            raise serializers.ValidationError(unknown_value_message(unknown, cms_selectors.known_slugs(self.kind)))
        return terms

    def to_representation(self, value):
        items = value.all() if hasattr(value, "all") else value
        return [item.slug for item in items]


@extend_schema_field(OpenApiTypes.STR)
class PublishedModuleField(serializers.Field):
    """The slug of a published module ↔ the ModulePage."""

    def to_internal_value(self, data):
        module = ModulePage.objects.live().public().filter(slug=str(data)).first()
        if module is None:
            raise serializers.ValidationError(f"Aucun module publié ne porte le nom « {data} ».")
        return module

    def to_representation(self, value):
        return value.slug


class PasswordField(serializers.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("write_only", True)
        kwargs.setdefault("trim_whitespace", False)
        kwargs.setdefault("max_length", 128)
        kwargs.setdefault("style", {"input_type": "password"})
        super().__init__(**kwargs)


def check_password_strength(password: str, *, user) -> None:
    try:
        validate_password(password, user=user)
    except DjangoValidationError as error:
        raise serializers.ValidationError(list(error.messages)) from error


# --- Accounts ----------------------------------------------------------------------------------


class RegisterSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=150)
    password = PasswordField(
        help_text="At least 10 characters, not too common, not only digits, not too close to the email."
    )
    personalisation_consent = StrictBooleanField(
        default=False, help_text="Consent to using the merchant's activity to personalise recommendations."
    )

    def validate(self, attrs):
        email = attrs["email"].strip().lower()
        candidate = get_user_model()(username=email, email=email)
        try:
            check_password_strength(attrs["password"], user=candidate)
        except serializers.ValidationError as error:
            raise serializers.ValidationError({"password": error.detail}) from error
        return attrs


class LoginSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=150)
    password = PasswordField()


class RefreshSerializer(serializers.Serializer):
    refresh = serializers.CharField(max_length=200, help_text="The refresh token received at sign-in.")


class LogoutSerializer(serializers.Serializer):
    everywhere = StrictBooleanField(default=False, help_text="Also sign out every other device.")


class PasswordChangeSerializer(serializers.Serializer):
    current_password = PasswordField()
    new_password = PasswordField()

    def validate_new_password(self, value):
        check_password_strength(value, user=self.context["request"].user)
        return value


class PasswordResetRequestSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=150)


class PasswordResetConfirmSerializer(serializers.Serializer):
    uid = serializers.CharField(max_length=64, help_text="From the e-mailed link.")
    token = serializers.CharField(max_length=128, help_text="From the e-mailed link.")
    new_password = PasswordField()


class AccountDeletionSerializer(serializers.Serializer):
    password = PasswordField(help_text="The account's password, asked again before erasing everything.")


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


class TokenPairSerializer(serializers.Serializer):
    token_type = serializers.CharField(default="Bearer")
    access = serializers.CharField(help_text="Send as `Authorization: Bearer …`; valid 15 minutes.")
    access_expires_at = serializers.DateTimeField()
    refresh = serializers.CharField(help_text="Single use, at /auth/refresh/; a new one is issued every time.")
    refresh_expires_at = serializers.DateTimeField()


class AccountSerializer(serializers.Serializer):
    email = serializers.EmailField()
    date_joined = serializers.DateTimeField()
    last_login = serializers.DateTimeField(allow_null=True)


# --- Profile -----------------------------------------------------------------------------------


class ProfileSerializer(serializers.Serializer):
    business_name = serializers.CharField(max_length=160, allow_blank=True)
    sector = TaxonomySlugField(kind="sectors", allow_null=True, help_text="A sector slug from /api/v1/taxonomy/.")
    size_band = serializers.ChoiceField(
        choices=SizeBand.choices, allow_blank=True, help_text="Number of people working in the business."
    )
    postcode = serializers.CharField(
        max_length=5, allow_blank=True, validators=[FRENCH_POSTCODE], help_text="French postcode."
    )
    capabilities = TaxonomySlugsField(kind="capabilities", help_text="Capabilities the merchant already has (slugs).")
    goals = TaxonomySlugsField(kind="goals", help_text="Goals the merchant pursues (slugs).")
    personalisation_consent = StrictBooleanField(
        help_text="Consent to using the merchant's history for personalisation; withdrawal takes effect immediately."
    )
    consent_updated_at = serializers.DateTimeField(read_only=True, allow_null=True)
    updated_at = serializers.DateTimeField(read_only=True)


# --- Diagnostic --------------------------------------------------------------------------------


class BandSerializer(serializers.Serializer):
    slug = serializers.CharField()
    label = serializers.CharField()
    min_score = serializers.IntegerField()
    message = serializers.CharField()


class DiagnosticAnswerChoiceSerializer(serializers.Serializer):
    slug = serializers.CharField()
    label = serializers.CharField()
    exclusive = serializers.BooleanField(help_text="Cannot be ticked together with another answer (« aucun »).")


class DiagnosticQuestionSerializer(serializers.Serializer):
    slug = serializers.CharField()
    theme = serializers.CharField(source="theme.slug")
    text = serializers.CharField()
    help_text = serializers.CharField()
    kind = serializers.ChoiceField(choices=["single", "multiple"])
    scored = serializers.BooleanField(help_text="False: the answer only decides which rules apply (VAT status…).")
    excluded_sectors = serializers.SerializerMethodField(
        help_text="Slugs of the sectors for which the question is neither asked nor scored."
    )
    answers = DiagnosticAnswerChoiceSerializer(many=True, source="answers.all")

    def get_excluded_sectors(self, question) -> list[str]:
        return [sector.slug for sector in question.excluded_sectors.all()]


class QuestionnaireSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    intro = serializers.CharField()
    bands = BandSerializer(many=True, source="bands.all")
    questions = DiagnosticQuestionSerializer(many=True, source="questions.all")


class DiagnosticSubmitSerializer(serializers.Serializer):
    questionnaire = serializers.SlugField(
        required=False, help_text="Questionnaire slug; defaults to the one of GET /api/v1/diagnostic/."
    )
    sector = TaxonomySlugField(
        kind="sectors",
        required=False,
        help_text="The business's sector (saved to the profile); default: the profile's. Decides which questions apply.",
    )
    answers = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField(max_length=80), max_length=20),
        help_text=(
            "For each question slug that applies to the sector, the list of chosen answer slugs (exactly one for "
            "`single`); questions excluded for the sector may be left out."
        ),
    )


class ShortBandSerializer(serializers.Serializer):
    slug = serializers.CharField(source="band_slug")
    label = serializers.CharField(source="band_label")


class LegalWarningSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    message = serializers.CharField()
    module = serializers.CharField(help_text="Slug of the module that explains what to do.")


class DiagnosticResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    questionnaire = serializers.CharField(source="questionnaire_slug")
    taken_at = serializers.DateTimeField(source="created_at")
    theme_scores = serializers.DictField(child=serializers.IntegerField(), help_text="{theme slug: 0–100}")
    overall_score = serializers.IntegerField()
    band = ShortBandSerializer(source="*")
    capabilities_detected = serializers.ListField(child=serializers.CharField())
    warnings = LegalWarningSerializer(
        many=True, help_text="Legal obligations the answers reveal, whatever the band (stored with the result)."
    )
    sector = serializers.CharField(source="sector_slug", help_text="The sector the scores took into account.")
    answers = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


# --- Events ------------------------------------------------------------------------------------


class EngagementEventSerializer(serializers.Serializer):
    event_id = serializers.UUIDField(help_text="Generated by the app; send it unchanged when retrying.")
    module = serializers.CharField(max_length=255, help_text="Slug of a published module.")
    kind = serializers.ChoiceField(choices=EngagementEvent.Kind.choices)
    value = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=-32768,
        max_value=32767,
        help_text="`rated`: rating from 1 to 5; `step_completed`: step index (0 = first); otherwise omitted.",
    )
    occurred_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="Omitted: server time. At most 5 minutes in the future."
    )
    recommendation_id = serializers.UUIDField(required=False, allow_null=True)

    def to_event(self) -> EventInput:
        return EventInput(**self.validated_data)


class EventOutcomeSerializer(serializers.Serializer):
    event_id = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=["created", "duplicate", "conflict", "invalid"])
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False, help_text="For invalid/conflict."
    )

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not data.get("errors"):
            data.pop("errors", None)
        return data


class EventBatchResultSerializer(serializers.Serializer):
    results = EventOutcomeSerializer(many=True)


# --- Progress ----------------------------------------------------------------------------------


class ModuleRefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    theme = serializers.CharField(source="theme.slug")


class ThemeRefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class ThemeProgressSerializer(serializers.Serializer):
    theme = ThemeRefSerializer()
    modules_total = serializers.IntegerField(help_text="Published modules in the theme.")
    modules_completed = ModuleRefSerializer(many=True)
    modules_in_progress = ModuleRefSerializer(many=True)
    capabilities_covered = serializers.SerializerMethodField(
        help_text="Slugs of the theme's capabilities already acquired."
    )
    capabilities_total = serializers.IntegerField()
    diagnostic_score = serializers.IntegerField(allow_null=True, help_text="From the latest self-diagnostic.")

    def get_capabilities_covered(self, progress) -> list[str]:
        return [capability.slug for capability in progress.capabilities_covered]


class NextStepSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    title = serializers.CharField()


class StartedModuleSerializer(serializers.Serializer):
    module = ModuleRefSerializer()
    steps_total = serializers.SerializerMethodField()
    steps_completed = serializers.SerializerMethodField()
    next_step = NextStepSerializer(allow_null=True)
    last_activity_at = serializers.DateTimeField()

    def get_steps_total(self, state) -> int:
        return len(state.steps)

    def get_steps_completed(self, state) -> list[int]:
        return sorted(state.steps_completed)


class LastDiagnosticSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    taken_at = serializers.DateTimeField(source="created_at")
    overall_score = serializers.IntegerField()
    band = ShortBandSerializer(source="*")


class ProgressSerializer(serializers.Serializer):
    themes = ThemeProgressSerializer(many=True)
    last_diagnostic = LastDiagnosticSerializer(allow_null=True)
    bookmarks = ModuleRefSerializer(many=True)
    started_modules = StartedModuleSerializer(many=True, help_text="Most recent first, with the next step.")
    ratings = serializers.DictField(
        child=serializers.IntegerField(min_value=1, max_value=5),
        help_text="The merchant's latest rating (1–5) of each module they rated, by module slug.",
    )


# --- GDPR export -------------------------------------------------------------------------------


class PersonalDataExportSerializer(serializers.Serializer):
    exported_at = serializers.DateTimeField()
    account = serializers.DictField(help_text="email, date_joined, last_login, sessions")
    profile = serializers.DictField()
    diagnostics = serializers.ListField(child=serializers.DictField())
    events = serializers.ListField(child=serializers.DictField())
    bookmarks = serializers.ListField(child=serializers.CharField())
    missions = serializers.ListField(
        child=serializers.DictField(), help_text="Help requests with their sessions and messages (no internal notes)."
    )
    recommendation_impressions = serializers.ListField(
        child=serializers.DictField(), help_text="Modules the recommender showed: recommendation_id, module, rank…"
    )
