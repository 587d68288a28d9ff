"""`GET /api/v1/me/recommendations/`: the signed-in merchant's next modules (thin: validate, call
`recommender.serving.recommend_for`, serialize)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response

from api.merchant_views import E400, E401, MerchantView
from api.recommendation_serializers import RecommendationQuerySerializer, RecommendationsSerializer
from recommender import serving


@extend_schema(
    tags=["recommendations"],
    summary="Les prochains modules recommandés au commerçant connecté, avec leurs raisons",
    description=(
        "Classement du modèle actif (ou d'une solution de repli, jamais d'erreur faute de modèle). Les modules "
        "terminés ou écartés n'apparaissent pas ; un module terminé disparaît dès l'appel suivant. Sans "
        "consentement à la personnalisation, l'historique n'est pas utilisé (`personalised: false`). Renvoyez "
        "`recommendation_id` dans les événements issus de cette liste. Jamais mis en cache."
    ),
    parameters=[RecommendationQuerySerializer],
    responses={
        200: RecommendationsSerializer,
        400: E400,
        401: E401,
        403: OpenApiResponse(description="Compte qui n'est pas un compte commerçant."),
    },
)
class RecommendationsView(MerchantView):
    serializer_class = RecommendationsSerializer

    def get(self, request):
        params = RecommendationQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        result = serving.recommend_for(
            self.merchant, limit=params.validated_data["limit"], theme=params.validated_data.get("theme")
        )
        return Response(RecommendationsSerializer(result, context={"request": request}).data)
