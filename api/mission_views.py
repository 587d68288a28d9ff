"""Missions through the API: the merchant's help requests (/me/help-requests/…) and the students' and school
referents' space (/espace/…). Thin views: the queryset of the signed-in person's role decides what exists
for them (another's mission reads as unknown, 404), one service call per write, one serializer per side."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from api.authentication import MemberTokenAuthentication, MerchantAuthThrottle
from api.merchant_serializers import RefreshSerializer, TokenPairSerializer
from api.merchant_views import AUTH_ERRORS, E400, E404, QUOTA, MerchantView, PublicAuthView, token_response
from api.mission_serializers import (
    AppointmentCreateSerializer,
    AppointmentSerializer,
    DeclineSerializer,
    HelpRatingSerializer,
    HelpRequestCreateSerializer,
    HelpRequestSerializer,
    MemberLoginSerializer,
    MemberSerializer,
    MessageCreateSerializer,
    MessageSerializer,
    ReferentMissionSerializer,
    ReportSerializer,
    StudentMissionSerializer,
)
from api.permissions import IsMember, IsReferent, IsStudent
from api.quotas import HelpRequestQuota
from api.views import ERROR
from merchants import services as merchant_services
from missions import certificates, selectors, services
from missions.models import Role

E403 = OpenApiResponse(ERROR, "Not allowed for this role on this mission.")
ID = [OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)]
SESSION_ID = ID + [OpenApiParameter("session_id", OpenApiTypes.INT, OpenApiParameter.PATH)]
WRITE_ERRORS = {400: E400, 403: E403, 404: E404, **AUTH_ERRORS}


def _appointment(mission, session_id):
    for appointment in mission.appointments.all():
        if appointment.pk == session_id:
            return appointment
    raise NotFound("Séance introuvable.")


# --- The merchant's help requests ----------------------------------------------------------------


class HelpRequestMixin:
    """The merchant's own missions; another merchant's id reads as unknown."""

    def get_mission(self, pk):
        mission = selectors.missions_for_merchant(merchant=self.merchant).filter(pk=pk).first()
        if mission is None:
            raise NotFound("Demande introuvable.")
        return mission

    def answer(self, pk, status_code=status.HTTP_200_OK):
        mission = self.get_mission(pk)
        return Response(HelpRequestSerializer(mission, context={"user": self.request.user}).data, status=status_code)


class HelpRequestListView(HelpRequestMixin, MerchantView):
    throttle_classes = [HelpRequestQuota]  # creating requests: per-merchant quota (api/quotas.py)

    @extend_schema(
        tags=["help requests"],
        summary="My help requests, with their sessions and messages",
        responses={200: HelpRequestSerializer(many=True), **AUTH_ERRORS},
    )
    def get(self, request):
        page = self.paginate_queryset(selectors.missions_for_merchant(merchant=self.merchant))
        return self.get_paginated_response(HelpRequestSerializer(page, many=True, context={"user": request.user}).data)

    @extend_schema(
        tags=["help requests"],
        summary="Ask a student for help with a theme or a module: when, how, and what to share",
        description=(
            "`preferred_mode`: `in_shop` (sessions during `opening_hours`), `phone` or `video`. The contact fields are shown to the matched student only, only while the mission is active."
        ),
        request=HelpRequestCreateSerializer,
        responses={201: HelpRequestSerializer, 400: E400, 429: QUOTA, **AUTH_ERRORS},
    )
    def post(self, request):
        serializer = HelpRequestCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        mission = services.request_help(merchant=self.merchant, **serializer.validated_data)
        return self.answer(mission.pk, status.HTTP_201_CREATED)


@extend_schema(
    tags=["help requests"],
    summary="One of my help requests",
    parameters=ID,
    responses={200: HelpRequestSerializer, 404: E404, **AUTH_ERRORS},
)
class HelpRequestDetailView(HelpRequestMixin, MerchantView):
    def get(self, request, pk):
        return self.answer(pk)


@extend_schema(
    tags=["help requests"],
    summary="Cancel a help request that is not finished",
    parameters=ID,
    request=None,
    responses={200: HelpRequestSerializer, **WRITE_ERRORS},
)
class HelpRequestCancelView(HelpRequestMixin, MerchantView):
    def post(self, request, pk):
        services.cancel_mission(mission=self.get_mission(pk), actor=request.user, role=Role.MERCHANT)
        return self.answer(pk)


@extend_schema(
    tags=["help requests"],
    summary="Rate the help received (1 to 5), once the mission is done",
    parameters=ID,
    request=HelpRatingSerializer,
    responses={200: HelpRequestSerializer, **WRITE_ERRORS},
)
class HelpRequestRatingView(HelpRequestMixin, MerchantView):
    def post(self, request, pk):
        mission = self.get_mission(pk)
        serializer = HelpRatingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.rate_mission(mission=mission, **serializer.validated_data)
        return self.answer(pk)


class HelpRequestMessagesView(HelpRequestMixin, MerchantView):
    @extend_schema(
        tags=["help requests"],
        summary="Send a message to the student (read by the coordination and the school referent too)",
        parameters=ID,
        request=MessageCreateSerializer,
        responses={201: MessageSerializer, **WRITE_ERRORS},
    )
    def post(self, request, pk):
        mission = self.get_mission(pk)
        serializer = MessageCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message = services.post_message(
            mission=mission, author=request.user, role=Role.MERCHANT, body=serializer.validated_data["body"]
        )
        return Response(MessageSerializer(message, context={"user": request.user}).data, status=201)


@extend_schema(
    tags=["help requests"],
    summary="Propose a session slot to the student",
    parameters=ID,
    request=AppointmentCreateSerializer,
    responses={201: AppointmentSerializer, **WRITE_ERRORS},
)
class HelpRequestSessionsView(HelpRequestMixin, MerchantView):
    def post(self, request, pk):
        serializer = AppointmentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        appointment = services.propose_appointment(
            mission=self.get_mission(pk), user=request.user, **serializer.validated_data
        )
        return Response(AppointmentSerializer(appointment).data, status=201)


class HelpRequestSessionActionView(HelpRequestMixin, MerchantView):
    """confirm (agree to the student's slot), held (the session took place), cancel."""

    actions = {
        "confirm": services.confirm_appointment,
        "held": services.confirm_appointment_held,
        "cancel": services.cancel_appointment,
    }
    action = None

    @extend_schema(
        tags=["help requests"],
        summary="Act on a session: confirm a proposed slot, confirm it took place, or cancel it",
        parameters=SESSION_ID,
        request=None,
        responses={200: AppointmentSerializer, **WRITE_ERRORS},
    )
    def post(self, request, pk, session_id):
        appointment = _appointment(self.get_mission(pk), session_id)
        appointment = self.actions[self.action](appointment=appointment, user=request.user)
        return Response(AppointmentSerializer(appointment).data)


# --- The students' and referents' space ----------------------------------------------------------


@extend_schema(
    tags=["students and referents"],
    summary="Sign in to the students' and referents' space",
    request=MemberLoginSerializer,
    responses={200: TokenPairSerializer, 400: E400, 401: OpenApiResponse(ERROR, "Wrong credentials")},
    auth=[],
)
class MemberLoginView(PublicAuthView):
    throttle_classes = [MerchantAuthThrottle]

    def post(self, request):
        serializer = MemberLoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return token_response(services.log_in_member(**serializer.validated_data))


@extend_schema(
    tags=["students and referents"],
    summary="Exchange the refresh token for a new pair (it works only once)",
    request=RefreshSerializer,
    responses={200: TokenPairSerializer, 400: E400, 401: OpenApiResponse(ERROR, "Session expired")},
    auth=[],
)
class MemberRefreshView(PublicAuthView):
    def post(self, request):
        serializer = RefreshSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return token_response(services.refresh_member_session(refresh_token=serializer.validated_data["refresh"]))


class MemberView(MerchantView):
    """Endpoints of a signed-in student or referent."""

    authentication_classes = [MemberTokenAuthentication]
    permission_classes = [IsMember]

    @property
    def role(self):
        return services.member_role(self.request.user)

    def missions(self):
        if self.role == Role.STUDENT:
            return selectors.missions_for_student(user=self.request.user)
        return selectors.missions_for_referent(user=self.request.user)

    def get_mission(self, pk):
        mission = self.missions().filter(pk=pk).first()
        if mission is None:
            raise NotFound("Mission introuvable.")
        return mission

    def serialize(self, mission):
        serializer = StudentMissionSerializer if self.role == Role.STUDENT else ReferentMissionSerializer
        return serializer(mission, context={"user": self.request.user}).data

    def answer(self, pk):
        return Response(self.serialize(self.get_mission(pk)))


@extend_schema(
    tags=["students and referents"], summary="Sign out this device", request=None, responses={204: None, **AUTH_ERRORS}
)
class MemberLogoutView(MemberView):
    def post(self, request):
        merchant_services.log_out(session=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(
    tags=["students and referents"], summary="Who is signed in", responses={200: MemberSerializer, **AUTH_ERRORS}
)
class MemberMeView(MemberView):
    def get(self, request):
        if self.role == Role.STUDENT:
            student = selectors.student_for(user=request.user)
            data = {"role": Role.STUDENT, "name": student.full_name, "school": student.school.name}
        else:
            referent = selectors.referent_for(user=request.user)
            data = {"role": Role.REFERENT, "name": referent.display_name, "school": referent.school.name}
        return Response(MemberSerializer({**data, "email": request.user.email}).data)


@extend_schema(
    tags=["students and referents"],
    summary="Missions: a student's own (proposed or accepted); a referent's school's students'",
    responses={200: StudentMissionSerializer(many=True), **AUTH_ERRORS},
)
class MemberMissionListView(MemberView):
    def get(self, request):
        page = self.paginate_queryset(self.missions())
        return self.get_paginated_response([self.serialize(mission) for mission in page])


@extend_schema(
    tags=["students and referents"],
    summary="One mission",
    parameters=ID,
    responses={200: StudentMissionSerializer, 404: E404, **AUTH_ERRORS},
)
class MemberMissionDetailView(MemberView):
    def get(self, request, pk):
        return self.answer(pk)


class StudentMissionActionView(MemberView):
    """accept, done."""

    permission_classes = [IsStudent]
    action = None

    @extend_schema(
        tags=["students and referents"],
        summary="Student: accept a proposed mission, or mark an accepted one done (a session report needed)",
        parameters=ID,
        request=None,
        responses={200: StudentMissionSerializer, **WRITE_ERRORS},
    )
    def post(self, request, pk):
        mission = self.get_mission(pk)
        if self.action == "accept":
            services.accept_mission(mission=mission, user=request.user)
        else:
            services.complete_mission(mission=mission, user=request.user)
        return self.answer(pk)


@extend_schema(
    tags=["students and referents"],
    summary="Student: decline a proposed mission (it goes back to the coordination's queue)",
    parameters=ID,
    request=DeclineSerializer,
    responses={200: OpenApiResponse(description="Declined: the mission is no longer the student's."), **WRITE_ERRORS},
)
class StudentDeclineView(MemberView):
    permission_classes = [IsStudent]

    def post(self, request, pk):
        mission = self.get_mission(pk)
        serializer = DeclineSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.decline_mission(mission=mission, user=request.user, **serializer.validated_data)
        return Response({"id": mission.pk, "status": "declined"})


@extend_schema(
    tags=["students and referents"],
    summary="Student: propose a session slot (in the shop: during its opening hours)",
    parameters=ID,
    request=AppointmentCreateSerializer,
    responses={201: AppointmentSerializer, **WRITE_ERRORS},
)
class StudentSessionsView(MemberView):
    permission_classes = [IsStudent]

    def post(self, request, pk):
        serializer = AppointmentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        appointment = services.propose_appointment(
            mission=self.get_mission(pk), user=request.user, **serializer.validated_data
        )
        return Response(AppointmentSerializer(appointment).data, status=201)


class StudentSessionActionView(MemberView):
    """confirm (agree to the merchant's slot), cancel."""

    permission_classes = [IsStudent]
    action = None

    @extend_schema(
        tags=["students and referents"],
        summary="Student: confirm the merchant's proposed slot, or cancel a session",
        parameters=SESSION_ID,
        request=None,
        responses={200: AppointmentSerializer, **WRITE_ERRORS},
    )
    def post(self, request, pk, session_id):
        appointment = _appointment(self.get_mission(pk), session_id)
        if self.action == "confirm":
            appointment = services.confirm_appointment(appointment=appointment, user=request.user)
        else:
            appointment = services.cancel_appointment(appointment=appointment, user=request.user)
        return Response(AppointmentSerializer(appointment).data)


@extend_schema(
    tags=["students and referents"],
    summary="Student: the session report — what was set up, time spent (minutes), next step",
    parameters=SESSION_ID,
    request=ReportSerializer,
    responses={200: AppointmentSerializer, **WRITE_ERRORS},
)
class StudentSessionReportView(MemberView):
    permission_classes = [IsStudent]

    def post(self, request, pk, session_id):
        appointment = _appointment(self.get_mission(pk), session_id)
        serializer = ReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        appointment = services.report_appointment(
            appointment=appointment, user=request.user, **serializer.validated_data
        )
        return Response(AppointmentSerializer(appointment).data)


@extend_schema(
    tags=["students and referents"],
    summary="Write in the mission's thread (student or referent; no personal contact details from a student)",
    parameters=ID,
    request=MessageCreateSerializer,
    responses={201: MessageSerializer, **WRITE_ERRORS},
)
class MemberMessagesView(MemberView):
    def post(self, request, pk):
        mission = self.get_mission(pk)
        serializer = MessageCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message = services.post_message(
            mission=mission, author=request.user, role=self.role, body=serializer.validated_data["body"]
        )
        return Response(MessageSerializer(message, context={"user": request.user}).data, status=201)


@extend_schema(
    tags=["students and referents"],
    summary="Referent: validate the hours of a finished mission",
    parameters=ID,
    request=None,
    responses={200: ReferentMissionSerializer, **WRITE_ERRORS},
)
class ReferentValidateHoursView(MemberView):
    permission_classes = [IsReferent]

    def post(self, request, pk):
        services.validate_hours(mission=self.get_mission(pk), referent=selectors.referent_for(user=request.user))
        return self.answer(pk)


@extend_schema(
    tags=["students and referents"],
    summary="The mission certificate (attestation de mission), as a PDF",
    description="For a finished mission: the student's referent, or the student.",
    parameters=ID,
    responses={(200, "application/pdf"): OpenApiTypes.BINARY, **WRITE_ERRORS},
)
class MissionCertificateView(MemberView):
    def get(self, request, pk):
        mission = self.get_mission(pk)
        pdf = certificates.certificate_pdf(mission=mission)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="attestation-mission-{mission.pk}.pdf"'
        return response
