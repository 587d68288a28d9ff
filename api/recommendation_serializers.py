"""Serializers of the merchant's recommendations: query parameters in, ranked modules with reasons out."""

from rest_framework import serializers

from api.serializers import ModuleSummarySerializer, ShortTermSerializer, SlugListField

MAX_LIMIT = 20


class RecommendationQuerySerializer(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, default=5, help_text="De 1 à 20 (5 par défaut).")
    theme = SlugListField(kind="themes", help_text="Un slug de thème : seulement les modules de ce thème.")

    def validate_theme(self, value):
        if len(value) > 1:
            raise serializers.ValidationError("Un seul thème à la fois.")
        return value[0] if value else None


class ReasonSerializer(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=["content", "collaborative", "popularity", "editorial", "new", "fallback"],
        help_text="content : votre profil ; collaborative : des commerçants comme vous ; popularity : très suivi ; "
        "editorial : mis en avant ; new : module récent ; fallback : aucune raison particulière.",
    )
    text = serializers.CharField()


class ModuleLinkSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()


class RecommendationSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    score = serializers.FloatField(help_text="Score du classement (comparable au sein d'une même réponse).")
    module = ModuleSummarySerializer()
    reasons = ReasonSerializer(many=True)
    missing_prerequisites = ShortTermSerializer(
        many=True, help_text="Compétences que le module demande et que vous n'avez pas encore."
    )
    prepare_with = ModuleLinkSerializer(
        many=True, help_text="Modules qui font acquérir ces compétences, à faire avant."
    )


class ModelVersionRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class RecommendationsSerializer(serializers.Serializer):
    recommendation_id = serializers.UUIDField(
        help_text="À renvoyer dans les événements (`recommendation_id`) issus de cette liste."
    )
    model_version = ModelVersionRefSerializer(allow_null=True, help_text="Null quand une solution de repli a servi.")
    strategy = serializers.CharField(help_text="hybrid (modèle entraîné), fallback-popularity ou fallback-catalogue.")
    personalised = serializers.BooleanField(help_text="False sans consentement : l'historique n'est pas utilisé.")
    notice = serializers.CharField(allow_null=True)
    results = RecommendationSerializer(many=True)
