"""`/api/v1/observatory/`: the observatory's aggregates for the agency's partners (an API key issued in the
admin, read-only) and for staff with the observatory permission (their admin session). Small cells are
already suppressed in `reporting`; nothing else is reachable with a partner key."""

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import authentication, exceptions, permissions, serializers, throttling
from rest_framework.response import Response
from rest_framework.views import APIView

from api.authentication import MerchantTokenAuthentication
from api.merchant_views import E400, ERROR
from partners import selectors as partner_selectors
from partners.models import PartnerApiKey
from reporting import opendata
from reporting.aggregates import MERCHANT_DIMENSIONS, PAIRS
from reporting.periods import parse_period
from reporting.selectors import observatory_for

TABLES = (
    ["total", *MERCHANT_DIMENSIONS, *(f"{a}×{b}" for a, b in PAIRS), "theme"]
    + [f"theme×{d}" for d in MERCHANT_DIMENSIONS]
    + ["capability", *(f"capability×{d}" for d in MERCHANT_DIMENSIONS), "capability×module"]
)


class Partner:
    """The principal behind a partner key: not a user, never staff, never a merchant."""

    is_authenticated = True
    is_active = True
    is_staff = False
    pk = None

    def __init__(self, key: PartnerApiKey):
        self.key = key

    def has_perm(self, perm, obj=None):
        return False


class PartnerKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: ApiKey <key>`; a revoked or unknown key is a 401."""

    keyword = "apikey"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("En-tête Authorization invalide : « ApiKey <clé> » attendu.")
        key = partner_selectors.active_key(header[1].decode("ascii", errors="replace"))
        if key is None:
            raise exceptions.AuthenticationFailed("Clé d'API inconnue ou révoquée.", code="api_key_invalid")
        return Partner(key), key

    def authenticate_header(self, request):
        return 'ApiKey realm="observatory"'


class CanReadAggregates(permissions.BasePermission):
    message = "Cette ressource est réservée aux partenaires de l'observatoire et au personnel habilité de l'agence."

    def has_permission(self, request, view):
        if isinstance(request.auth, PartnerApiKey):
            return request.auth.scope == PartnerApiKey.Scope.READ_AGGREGATES
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm("reporting.view_observatory"))


class PartnerThrottle(throttling.SimpleRateThrottle):
    """Per key (or per staff user): OBSERVATORY["PARTNER_RATE"]."""

    scope = "observatory"

    def get_rate(self):
        return settings.OBSERVATORY["PARTNER_RATE"]

    def get_cache_key(self, request, view):
        ident = f"key-{request.auth.pk}" if isinstance(request.auth, PartnerApiKey) else f"user-{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class PartnerKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.observatory_views.PartnerKeyAuthentication"
    name = "partnerApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`ApiKey <key>`: a partner key issued in the admin (Observatoire → Clés d'API partenaires); read-only access to the aggregates.",
        }


class ObservatoryQuerySerializer(serializers.Serializer):
    period = serializers.CharField(help_text="`2026-11` (a month), `2026-T4` (a quarter) or `2026` (a year).")
    table = serializers.ChoiceField(choices=TABLES, required=False, help_text="Only the cells of one table.")

    def validate_period(self, value):
        try:
            return parse_period(value)
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from error


E403 = OpenApiResponse(ERROR, "A merchant token, or a staff session without the observatory permission.")
E401 = OpenApiResponse(ERROR, "No credentials, or an unknown or revoked key.")
E429 = OpenApiResponse(ERROR, "Too many requests for this key: retry after the delay in the Retry-After header.")
PERIOD = OpenApiParameter(
    "period", str, required=True, description=ObservatoryQuerySerializer().fields["period"].help_text
)
TABLE = OpenApiParameter("table", str, enum=TABLES, description="Only the cells of one table.")


class ObservatoryView(APIView):
    authentication_classes = [
        PartnerKeyAuthentication,
        MerchantTokenAuthentication,
        authentication.SessionAuthentication,
    ]
    permission_classes = [CanReadAggregates]
    throttle_classes = [PartnerThrottle]

    def params(self, request):
        query = ObservatoryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return query.validated_data


AGGREGATES = inline_serializer(
    "ObservatoryAggregates",
    {
        "period": inline_serializer(
            "ObservatoryPeriod",
            {
                "key": serializers.CharField(),
                "label": serializers.CharField(),
                "start": serializers.DateField(),
                "end": serializers.DateField(),
            },
        ),
        "min_cell_size": serializers.IntegerField(),
        "rows": serializers.ListField(
            child=serializers.DictField(),
            help_text="One row per published cell; the columns are described by /observatory/codebook/.",
        ),
    },
)


@extend_schema(
    tags=["observatory"],
    summary="The observatory's aggregates for a period (small cells suppressed)",
    description=(
        "One row per cell of every published table (total; by sector, area, size band; their pairs; by theme and by "
        "capability, alone and crossed with each of them; capability × module). Figures from fewer than "
        "`min_cell_size` merchants are `null` and listed in `hidden_measures`, with enough other cells that none "
        "can be worked out from the totals. Add `table=` for one table, or ask `/observatory/aggregates.csv` for CSV."
    ),
    parameters=[PERIOD, TABLE],
    responses={200: AGGREGATES, 400: E400, 401: E401, 403: E403, 429: E429},
)
class AggregatesView(ObservatoryView):
    def get(self, request):
        params = self.params(request)
        return Response(opendata.as_json(observatory_for(period=params["period"]), table=params.get("table")))


@extend_schema(
    tags=["observatory"],
    summary="The same aggregates as CSV",
    description="UTF-8, comma-separated, one header row; hidden figures are empty and named in `hidden_measures`.",
    parameters=[PERIOD, TABLE],
    responses={(200, "text/csv"): OpenApiResponse(str, "The CSV file."), 400: E400, 401: E401, 403: E403, 429: E429},
)
class AggregatesCsvView(ObservatoryView):
    def get(self, request):
        params = self.params(request)
        body = opendata.as_csv(observatory_for(period=params["period"]), table=params.get("table"))
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="observatoire-{params["period"].key}.csv"'
        return response


@extend_schema(
    tags=["observatory"],
    summary="The codebook: every column of the aggregates, in French",
    parameters=[PERIOD],
    responses={
        200: OpenApiResponse(
            description="Title, population, suppression rule and columns (name, label, type, description)."
        ),
        400: E400,
        401: E401,
        403: E403,
    },
)
class CodebookView(ObservatoryView):
    def get(self, request):
        params = self.params(request)
        return Response(opendata.codebook(observatory_for(period=params["period"])))
