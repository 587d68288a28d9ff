"""The merchant API: accounts, profile, self-diagnostic, engagement events, progress, help requests, GDPR.

Thin views: validate with a serializer, call one service or selector from `merchants`, serialize the answer.
Every /me/ endpoint reads only the signed-in merchant's own data; nothing is cached by browsers or proxies.
"""

from pathlib import Path

import yaml
from django.conf import settings
from django.utils.cache import patch_cache_control, patch_vary_headers
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from api.authentication import (
    MerchantAuthThrottle,
    MerchantPasswordThrottle,
    MerchantRefreshGuessThrottle,
    MerchantRefreshThrottle,
    MerchantResetEmailThrottle,
    MerchantTokenAuthentication,
)
from api.caching import CachedContentMixin
from api.errors import ERROR, error_body
from api.merchant_serializers import (
    AccountDeletionSerializer,
    AccountSerializer,
    DetailSerializer,
    DiagnosticResultSerializer,
    DiagnosticSubmitSerializer,
    EngagementEventSerializer,
    EventBatchResultSerializer,
    EventOutcomeSerializer,
    LoginSerializer,
    LogoutSerializer,
    PasswordChangeSerializer,
    PasswordResetConfirmSerializer,
    PasswordResetRequestSerializer,
    PersonalDataExportSerializer,
    ProfileSerializer,
    ProgressSerializer,
    QuestionnaireSerializer,
    RefreshSerializer,
    RegisterSerializer,
    TokenPairSerializer,
)
from api.permissions import IsMerchant
from api.quotas import EventQuota
from cms import selectors as cms_selectors
from merchants import selectors, services
from merchants.services import EventOutcome
from missions import selectors as mission_selectors
from recommender import selectors as recommender_selectors

MAX_EVENTS_PER_BATCH = 500

E400 = OpenApiResponse(ERROR, "Invalid values: `fields` names each offending field.")
E401 = OpenApiResponse(ERROR, "Missing, invalid or expired token (or not a merchant account).")
E404 = OpenApiResponse(ERROR, "Not found (or owned by another merchant).")
E429 = OpenApiResponse(ERROR, "Too many attempts: retry after the delay in the Retry-After header.")
QUOTA = OpenApiResponse(
    ERROR, "`quota_exceeded`: the account's quota for this action is spent; retry after the Retry-After header."
)
AUTH_ERRORS = {401: E401}


class PublicAuthView(APIView):
    """Sign-in endpoints: no token needed, throttled per client IP."""

    authentication_classes = []
    permission_classes = []
    throttle_classes = [MerchantAuthThrottle]


class MerchantView(generics.GenericAPIView):
    """Endpoints of the signed-in merchant (`/me/…`)."""

    authentication_classes = [MerchantTokenAuthentication]
    permission_classes = [IsMerchant]

    @property
    def merchant(self):
        return self.request.user.merchant_profile

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_cache_control(response, private=True, no_store=True)
        patch_vary_headers(response, ["Authorization"])
        return response


def token_response(tokens: services.IssuedTokens, status_code=status.HTTP_200_OK) -> Response:
    return Response(TokenPairSerializer(tokens).data, status=status_code)


# --- Accounts ----------------------------------------------------------------------------------


@extend_schema(
    tags=["merchant accounts"],
    summary="Create a merchant account (signed in at once)",
    request=RegisterSerializer,
    responses={201: TokenPairSerializer, 400: E400, 429: E429},
    auth=[],
)
class RegisterView(PublicAuthView):
    def post(self, request):
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return token_response(services.register_merchant(**serializer.validated_data), status.HTTP_201_CREATED)


@extend_schema(
    tags=["merchant accounts"],
    summary="Sign in: an access token (15 min) and a refresh token",
    request=LoginSerializer,
    responses={200: TokenPairSerializer, 400: E400, 401: OpenApiResponse(ERROR, "Wrong credentials"), 429: E429},
    auth=[],
)
class LoginView(PublicAuthView):
    def post(self, request):
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return token_response(services.log_in_merchant(**serializer.validated_data))


@extend_schema(
    tags=["merchant accounts"],
    summary="Exchange the refresh token for a new pair (it works only once)",
    request=RefreshSerializer,
    responses={200: TokenPairSerializer, 400: E400, 401: OpenApiResponse(ERROR, "Session expired"), 429: E429},
    auth=[],
)
class RefreshView(PublicAuthView):
    # Per session for a live session's token, per IP (sign-in rate) for any other token.
    throttle_classes = [MerchantRefreshThrottle, MerchantRefreshGuessThrottle]

    def post(self, request):
        serializer = RefreshSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return token_response(services.refresh_session(refresh_token=serializer.validated_data["refresh"]))


@extend_schema(
    tags=["merchant accounts"],
    summary="Sign out (this device, or all of them)",
    request=LogoutSerializer,
    responses={204: None, **AUTH_ERRORS},
)
class LogoutView(MerchantView):
    def post(self, request):
        serializer = LogoutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.log_out(session=request.auth, everywhere=serializer.validated_data["everywhere"])
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(
    tags=["merchant accounts"],
    summary="Change the password: every session is closed, a new one is opened",
    description="Throttled per account, at the sign-in rate (MERCHANT_AUTH_RATE).",
    request=PasswordChangeSerializer,
    responses={200: TokenPairSerializer, 400: E400, 429: E429, **AUTH_ERRORS},
)
class PasswordChangeView(MerchantView):
    throttle_classes = [MerchantPasswordThrottle]

    def post(self, request):
        serializer = PasswordChangeSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        return token_response(services.change_password(merchant=self.merchant, **serializer.validated_data))


RESET_REQUESTED = (
    "Si un compte existe avec cette adresse, un e-mail vient de lui être envoyé avec un lien pour choisir un "
    "nouveau mot de passe. Pensez à regarder dans les indésirables."
)


@extend_schema(
    tags=["merchant accounts"],
    summary="Forgotten password: e-mail a single-use reset link",
    description=(
        "Always 202 with the same message, whether or not the address has an account (the e-mail is sent by the "
        "task queue, never inside the request). The link opens `/app/mot-de-passe/nouveau/#uid=…&token=…`, is "
        "valid `PASSWORD_RESET_TIMEOUT` seconds (1 hour) and works once. Throttled per IP (sign-in rate) and per "
        "address (`MERCHANT_RESET_EMAIL_RATE`, 3 per hour)."
    ),
    request=PasswordResetRequestSerializer,
    responses={202: DetailSerializer, 400: E400, 429: E429},
    auth=[],
)
class PasswordResetRequestView(PublicAuthView):
    throttle_classes = [MerchantAuthThrottle, MerchantResetEmailThrottle]

    def post(self, request):
        serializer = PasswordResetRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.request_password_reset(
            email=serializer.validated_data["email"], base_url=settings.MERCHANT_APP_BASE_URL
        )
        return Response({"detail": RESET_REQUESTED}, status=status.HTTP_202_ACCEPTED)


@extend_schema(
    tags=["merchant accounts"],
    summary="Set a new password from the e-mailed link: every session ends, this device is signed in",
    request=PasswordResetConfirmSerializer,
    responses={
        200: TokenPairSerializer,
        400: OpenApiResponse(ERROR, "`invalid_reset_link` (used, expired or altered) or `invalid` (weak password)"),
        429: E429,
    },
    auth=[],
)
class PasswordResetConfirmView(PublicAuthView):
    def post(self, request):
        serializer = PasswordResetConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return token_response(services.reset_password(**serializer.validated_data))


class MeView(MerchantView):
    throttle_classes = [MerchantPasswordThrottle]

    def get_throttles(self):
        # the password asked before erasure is throttled like the password change; reads are not
        return super().get_throttles() if self.request.method == "DELETE" else []

    @extend_schema(
        tags=["merchant accounts"], summary="The signed-in account", responses={200: AccountSerializer, **AUTH_ERRORS}
    )
    def get(self, request):
        return Response(AccountSerializer(request.user).data)

    @extend_schema(
        tags=["GDPR"],
        summary="Erase the account and all its personal data (irreversible)",
        description=(
            "Deletes the account, the profile, the sessions (every token stops working) and staff's admin "
            "history about them. Usage events and self-diagnostics are irreversibly anonymised (no merchant, "
            "identifier replaced, date truncated to the day, payload fingerprint blanked). Missions stay for the "
            "students' certificates and the agency's figures, anonymised: open ones are cancelled; the need, the "
            "shared contact details, the comment, the internal notes and the message thread are deleted; trade, "
            "arrondissement, dates, hours and rating remain. "
            "The account's password is asked again (`wrong_password` otherwise); throttled like the password change."
        ),
        request=AccountDeletionSerializer,
        responses={204: None, 400: E400, 429: E429, **AUTH_ERRORS},
    )
    def delete(self, request):
        serializer = AccountDeletionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.erase_merchant(merchant=self.merchant, password=serializer.validated_data["password"])
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(
    tags=["GDPR"],
    summary="All personal data held about the merchant, as JSON",
    responses={200: PersonalDataExportSerializer, **AUTH_ERRORS},
)
class ExportView(MerchantView):
    def get(self, request):
        data = {
            **selectors.personal_data_export(merchant=self.merchant),
            **mission_selectors.export_for_merchant(merchant=self.merchant),
            "recommendation_impressions": recommender_selectors.impressions_for_export(merchant=self.merchant),
        }
        response = Response(data)
        response["Content-Disposition"] = 'attachment; filename="eleasud-mes-donnees.json"'
        return response


# --- Profile -----------------------------------------------------------------------------------


class ProfileView(MerchantView):
    serializer_class = ProfileSerializer

    def profile_response(self):
        return Response(ProfileSerializer(selectors.profile_with_taxonomy(merchant=self.merchant)).data)

    @extend_schema(
        tags=["merchant profile"], summary="The business profile", responses={200: ProfileSerializer, **AUTH_ERRORS}
    )
    def get(self, request):
        return self.profile_response()

    @extend_schema(
        tags=["merchant profile"],
        summary="Replace the profile (all fields)",
        responses={200: ProfileSerializer, 400: E400, **AUTH_ERRORS},
    )
    def put(self, request):
        return self.save_profile(partial=False)

    @extend_schema(
        tags=["merchant profile"],
        summary="Update some fields of the profile",
        responses={200: ProfileSerializer, 400: E400, **AUTH_ERRORS},
    )
    def patch(self, request):
        return self.save_profile(partial=True)

    def save_profile(self, *, partial):
        serializer = ProfileSerializer(data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        services.update_profile(merchant=self.merchant, **serializer.validated_data)
        return self.profile_response()


# --- Self-diagnostic ---------------------------------------------------------------------------


def _starter_questionnaire_answers() -> dict[str, list[str]]:
    """A complete run of the starter questionnaire (content_fixtures/diagnostic.yaml): each question's first
    answer. The documented example must be a request the API accepts (tests/api/test_schema_contract.py)."""
    source = Path(settings.BASE_DIR) / "content_fixtures" / "diagnostic.yaml"
    if not source.exists():
        return {}
    questions = yaml.safe_load(source.read_text(encoding="utf-8")).get("questions", [])
    return {question["slug"]: [question["answers"][0]["slug"]] for question in questions if question.get("answers")}


DIAGNOSTIC_EXAMPLE_ANSWERS = _starter_questionnaire_answers()


@extend_schema(
    tags=["diagnostic"],
    summary="The self-diagnostic questionnaire (public)",
    parameters=[OpenApiParameter("questionnaire", OpenApiTypes.STR, description="Slug; defaults to the first one.")],
    responses={200: QuestionnaireSerializer, 404: E404},
)
class QuestionnaireView(CachedContentMixin, APIView):
    def get(self, request):
        questionnaire = cms_selectors.diagnostic_questionnaire(slug=request.query_params.get("questionnaire"))
        if questionnaire is None:
            raise NotFound("Aucun questionnaire d'autodiagnostic.")
        return Response(QuestionnaireSerializer(questionnaire).data)


class MyDiagnosticsView(MerchantView):
    @extend_schema(
        tags=["diagnostic"],
        summary="My past self-diagnostics, most recent first",
        responses={200: DiagnosticResultSerializer(many=True), **AUTH_ERRORS},
    )
    def get(self, request):
        page = self.paginate_queryset(selectors.diagnostics_for(merchant=self.merchant))
        return self.get_paginated_response(DiagnosticResultSerializer(page, many=True).data)

    @extend_schema(
        tags=["diagnostic"],
        summary="Record a self-diagnostic: scores per theme, overall score, band",
        description=(
            "Every question that applies to the sector must be answered. Detected capabilities are added to the "
            "profile (those already declared stay); legal obligations come back as `warnings`, whatever the band. "
            "Errors: `fields` has one `answers.<question slug>` key per missing, unknown, malformed or "
            "contradictory answer (an exclusive answer ticked with another, two answers that contradict each other)."
        ),
        request=DiagnosticSubmitSerializer,
        responses={
            201: DiagnosticResultSerializer,
            400: E400,
            404: E404,
            503: OpenApiResponse(
                ERROR, "`diagnostic_unavailable`: the questionnaire is incomplete in the CMS (no maturity band)"
            ),
            **AUTH_ERRORS,
        },
        examples=[
            OpenApiExample(
                "Answers",
                request_only=True,
                value={"answers": DIAGNOSTIC_EXAMPLE_ANSWERS},
            )
        ],
    )
    def post(self, request):
        serializer = DiagnosticSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        questionnaire = cms_selectors.diagnostic_questionnaire(slug=serializer.validated_data.get("questionnaire"))
        if questionnaire is None:
            raise NotFound("Aucun questionnaire d'autodiagnostic ne porte ce nom.")
        result = services.record_diagnostic(
            merchant=self.merchant,
            questionnaire=questionnaire,
            answers=serializer.validated_data["answers"],
            sector=serializer.validated_data.get("sector"),
        )
        return Response(DiagnosticResultSerializer(result).data, status=status.HTTP_201_CREATED)


# --- Engagement events -------------------------------------------------------------------------

EVENT_STATUS = {"created": 201, "duplicate": 200, "conflict": 409, "invalid": 400}


@extend_schema(
    tags=["engagement"],
    summary="Send one event, or a batch of 1 to 500 (offline queue)",
    description=(
        "An object: 201 `created`, 200 `duplicate` (already received, same content), 409 `conflict` (same "
        "`event_id`, different content), 400 `invalid`. An array: always 200 with one result per event, in "
        "order; valid events are recorded even if others are refused. Resending a batch records nothing twice."
    ),
    request=PolymorphicProxySerializer(
        component_name="EngagementEventOrBatch",
        serializers=[
            EngagementEventSerializer,
            EngagementEventSerializer(many=True, min_length=1, max_length=MAX_EVENTS_PER_BATCH),
        ],
        resource_type_field_name=None,
        many=False,
    ),
    responses={
        200: OpenApiResponse(
            PolymorphicProxySerializer(
                component_name="EventBatchResultOrDuplicate",
                serializers=[EventBatchResultSerializer, EventOutcomeSerializer],
                resource_type_field_name=None,
            ),
            "A batch: one result per event. A single event already received: its outcome (`duplicate`).",
        ),
        201: OpenApiResponse(EventOutcomeSerializer, "Single event recorded"),
        400: E400,
        409: OpenApiResponse(ERROR, "Single event: `event_id` already used for different content"),
        429: QUOTA,
        **AUTH_ERRORS,
    },
    examples=[
        OpenApiExample(
            "One event",
            request_only=True,
            value={
                "event_id": "0b7e5f7e-3c1a-4c55-9a3e-6c1d2f0e9a11",
                "module": "creer-sa-fiche-google",
                "kind": "step_completed",
                "value": 0,
                "occurred_at": "2026-03-02T09:15:00+01:00",
            },
        )
    ],
)
class EventsView(MerchantView):
    serializer_class = EngagementEventSerializer
    throttle_classes = [EventQuota]

    def post(self, request):
        if isinstance(request.data, list):
            return Response(EventBatchResultSerializer({"results": self.record(request.data)}).data)
        if not isinstance(request.data, dict):
            raise ValidationError("Un événement (objet) ou une liste d'événements est attendu.")
        outcome = self.record([request.data])[0]
        if outcome.status in ("created", "duplicate"):
            return Response(EventOutcomeSerializer(outcome).data, status=EVENT_STATUS[outcome.status])
        code = "conflict" if outcome.status == "conflict" else "invalid"
        message = (
            "Cet identifiant d'événement a déjà servi pour un autre contenu."
            if code == "conflict"
            else "L'événement est invalide."
        )
        return Response(error_body(code, message, outcome.errors), status=EVENT_STATUS[outcome.status])

    def record(self, items: list) -> list[EventOutcome]:
        """Shape-checks each item alone, records the well-formed ones, and answers in the input's order."""
        if not items or len(items) > MAX_EVENTS_PER_BATCH:
            raise ValidationError(f"Un lot contient de 1 à {MAX_EVENTS_PER_BATCH} événements.")
        outcomes: list[EventOutcome | None] = []
        well_formed = []
        for item in items:
            serializer = EngagementEventSerializer(data=item)
            if serializer.is_valid():
                well_formed.append(serializer.to_event())
                outcomes.append(None)
            else:
                event_id = item.get("event_id") if isinstance(item, dict) else None
                errors = {key: [str(message) for message in value] for key, value in serializer.errors.items()}
                outcomes.append(EventOutcome(str(event_id) if event_id is not None else None, "invalid", errors))
        recorded = iter(services.record_events(merchant=self.merchant, events=well_formed) if well_formed else [])
        return [outcome or next(recorded) for outcome in outcomes]


# --- Progress ----------------------------------------------------------------------------------


@extend_schema(
    tags=["engagement"],
    summary="My progress: per theme, bookmarks, next step of each started module",
    responses={200: ProgressSerializer, **AUTH_ERRORS},
)
class ProgressView(MerchantView):
    def get(self, request):
        return Response(ProgressSerializer(selectors.merchant_progress(merchant=self.merchant)).data)
