"""`GET /api/v1/me/recommendations/`: the signed-in merchant's next modules (thin: validate, call
`recommender.serving.recommend_for`, serialize)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response

from api.errors import ERROR
from api.merchant_views import E400, E401, QUOTA, MerchantView
from api.quotas import RecommendationQuota
from api.recommendation_serializers import RecommendationQuerySerializer, RecommendationsSerializer
from recommender import serving


@extend_schema(
    tags=["recommendations"],
    summary="The next modules recommended to the signed-in merchant, with their reasons",
    description=(
        "Ranking by the active model (or by a fallback: never an error for want of a model). Completed or "
        "dismissed modules are left out; a completed module disappears from the next call on. Without "
        "personalisation consent, history is not used (`personalised: false`). Send `recommendation_id` back "
        "in the events that come from this list. Never cached."
    ),
    parameters=[RecommendationQuerySerializer],
    responses={
        200: RecommendationsSerializer,
        400: E400,
        401: E401,
        403: OpenApiResponse(ERROR, "Not a merchant account."),
        429: QUOTA,
    },
)
class RecommendationsView(MerchantView):
    serializer_class = RecommendationsSerializer
    throttle_classes = [RecommendationQuota]

    def get(self, request):
        params = RecommendationQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        result = serving.recommend_for(
            self.merchant, limit=params.validated_data["limit"], theme=params.validated_data.get("theme")
        )
        return Response(RecommendationsSerializer(result, context={"request": request}).data)
