"""Thin HTTP views: validate input with a serializer, call one selector, serialize the answer."""

from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from api.caching import CachedContentMixin
from api.errors import ERROR
from api.serializers import (
    ModuleDetailSerializer,
    ModuleFilterSerializer,
    ModuleSummarySerializer,
    StartingPointsQuerySerializer,
    StartingPointsSerializer,
    TaxonomySerializer,
    ThemeSerializer,
)
from cms import selectors
from cms.models import Sector
from config.cache_backends import cache_health
from merchants import selectors as merchant_selectors
from recommender import serving as recommender_serving


@extend_schema(tags=["catalogue"], summary="Catalogue themes, with their number of published modules")
class ThemeListView(CachedContentMixin, generics.ListAPIView):
    serializer_class = ThemeSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.themes_with_module_counts()


@extend_schema(
    tags=["catalogue"],
    summary="Everything needed to build a profile form",
    responses={200: TaxonomySerializer},
)
class TaxonomyView(CachedContentMixin, APIView):
    def get(self, request):
        return Response(TaxonomySerializer(selectors.taxonomy()).data)


@extend_schema(
    tags=["catalogue"],
    summary="Published modules, filtered and paginated",
    parameters=[ModuleFilterSerializer],
    responses={200: ModuleSummarySerializer(many=True), 400: OpenApiResponse(ERROR, "Invalid filter")},
)
class ModuleListView(CachedContentMixin, generics.ListAPIView):
    serializer_class = ModuleSummarySerializer
    cacheable_query_params = frozenset({*ModuleFilterSerializer().fields, "page", "page_size"})

    def get_queryset(self):
        params = ModuleFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return selectors.filter_modules(filters=params.to_filters())


@extend_schema(
    tags=["catalogue"],
    summary="One module, with its content as typed JSON",
    parameters=[OpenApiParameter("slug", OpenApiTypes.STR, OpenApiParameter.PATH)],
    responses={200: ModuleDetailSerializer, 404: OpenApiResponse(ERROR, "Unknown or unpublished module")},
)
class ModuleDetailView(CachedContentMixin, APIView):
    def get(self, request, slug):
        module = selectors.published_module(slug=slug)
        if module is None:
            raise NotFound("Aucun module publié ne porte ce nom.")
        return Response(ModuleDetailSerializer(module, context={"request": request}).data)


@extend_schema(
    tags=["catalogue"],
    summary='"Par où commencer": starting points for a sector (public, non-personal)',
    description=(
        "For a visitor who has only chosen a sector (kept on their device, no account): the editors' picks in "
        "force, then the modules most taken up by the sector's merchants (a module counts only when at least "
        f"{merchant_selectors.MIN_MERCHANTS_PER_CELL} distinct merchants took it up), then by all merchants, "
        "then the easiest ones; only modules that suit the sector, at most two per theme. No personal data: "
        "cacheable by browsers and proxies; popularity is recomputed every 10 minutes."
    ),
    parameters=[StartingPointsQuerySerializer],
    responses={200: StartingPointsSerializer, 400: OpenApiResponse(ERROR, "Unknown sector")},
)
class StartingPointsView(CachedContentMixin, APIView):
    cacheable_query_params = frozenset({"sector", "limit"})

    def cache_variant(self) -> str:
        # popularity moves without any catalogue edit: a new ETag every 10 minutes
        return str(int(timezone.now().timestamp()) // merchant_selectors.STARTING_POINTS_CACHE_TTL)

    def get(self, request):
        params = StartingPointsQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        slugs = params.validated_data.get("sector", ())
        sector = Sector.objects.get(slug=slugs[0]) if slugs else None
        points = merchant_selectors.starting_points(sector=sector, limit=params.validated_data["limit"])
        return Response(
            StartingPointsSerializer({"sector": sector, "results": points}, context={"request": request}).data
        )


def healthz(request):
    """The process is up (for the load balancer's liveness probe)."""
    return JsonResponse({"status": "ok"})


def readyz(request):
    """Ready to serve: the database answers and the catalogue is loaded (503 otherwise). A lost cache (Redis)
    or recommender model degrades the service without stopping it: 200, `"status": "degraded"`, and why."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = {"ok": True}
        module_count = selectors.published_modules().count()
    except Exception as error:  # any driver error means "not ready"
        checks["database"] = {"ok": False, "error": error.__class__.__name__}
        return JsonResponse({"status": "unavailable", "checks": checks}, status=503)

    checks["content"] = {"ok": module_count > 0, "published_modules": module_count}
    # Always "ok": without Redis every read is served from the database, throttles fall back (reported here).
    checks["cache"] = cache_health()
    # Always "ok": without a usable model, recommendations fall back (reported here), content is still served.
    checks["recommender"] = recommender_serving.status()
    ready = all(check["ok"] for check in checks.values())
    degraded = any(check.get("degraded") for check in checks.values())
    state = "unavailable" if not ready else "degraded" if degraded else "ok"
    return JsonResponse({"status": state, "checks": checks}, status=200 if ready else 503)
