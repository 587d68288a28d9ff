"""Serializers of the merchant's recommendations: query parameters in, ranked modules with reasons out."""

from rest_framework import serializers

from api.serializers import ModuleSummarySerializer, ShortTermSerializer, SlugListField

MAX_LIMIT = 20


class RecommendationQuerySerializer(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, default=5, help_text="From 1 to 20 (default 5).")
    theme = SlugListField(kind="themes", help_text="One theme slug: only modules of that theme.")

    def to_internal_value(self, data):
        # DRF reads an empty query parameter of an optional field as absent: `?limit=` would quietly mean 5.
        if hasattr(data, "get") and data.get("limit") == "":
            raise serializers.ValidationError({"limit": [f"Indiquez un nombre de 1 à {MAX_LIMIT}."]})
        return super().to_internal_value(data)

    def validate_theme(self, value):
        if len(value) > 1:
            raise serializers.ValidationError("Un seul thème à la fois.")
        return value[0] if value else None


class ReasonSerializer(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=["content", "collaborative", "popularity", "editorial", "new", "fallback", "known", "prerequisites"],
        help_text="content: matches the profile; collaborative: merchants alike took it; popularity: widely followed; "
        "editorial: featured by editors; new: recent module; fallback: no particular reason; known: teaches only "
        "what the merchant already has (listed last); prerequisites: needs a capability the merchant lacks "
        "(and which module gives it).",
    )
    text = serializers.CharField()


class ModuleLinkSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()


class RecommendationSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    score = serializers.FloatField(help_text="Ranking score (comparable within one response only).")
    module = ModuleSummarySerializer()
    reasons = ReasonSerializer(many=True)
    missing_prerequisites = ShortTermSerializer(
        many=True, help_text="Capabilities the module requires that the merchant does not have yet."
    )
    prepare_with = ModuleLinkSerializer(many=True, help_text="Modules that build those capabilities, to take first.")


class ModelVersionRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class RecommendationsSerializer(serializers.Serializer):
    recommendation_id = serializers.UUIDField(
        help_text="Send back as `recommendation_id` in the events that come from this list."
    )
    model_version = ModelVersionRefSerializer(allow_null=True, help_text="Null when a fallback served the list.")
    strategy = serializers.CharField(help_text="hybrid (trained model), fallback-popularity or fallback-catalogue.")
    personalised = serializers.BooleanField(help_text="False without consent: history is not used.")
    notice = serializers.CharField(allow_null=True)
    results = RecommendationSerializer(many=True)
