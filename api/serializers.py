"""Serializers of the content API: query-parameter validation in, typed JSON out."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cms import selectors
from cms.models import CostBand
from merchants.models import SizeBand

# --- Input ------------------------------------------------------------------------------------


class SlugListField(serializers.CharField):
    """`?theme=a,b` or `?theme=a&theme=b` → ("a", "b"), every slug checked against the taxonomy."""

    def __init__(self, *, kind: str, **kwargs):
        self.kind = kind
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def get_value(self, dictionary):
        if hasattr(dictionary, "getlist"):
            values = dictionary.getlist(self.field_name)
            return ",".join(values) if values else serializers.empty
        return super().get_value(dictionary)

    def to_internal_value(self, data):
        slugs = tuple(dict.fromkeys(s.strip() for s in str(data).split(",") if s.strip()))
        accepted = selectors.known_slugs(self.kind)
        unknown = [slug for slug in slugs if slug not in accepted]
        if unknown:
            raise serializers.ValidationError(
                f"Valeur inconnue : {', '.join(unknown)}. Valeurs acceptées : {', '.join(accepted)}."
            )
        return slugs


class ModuleFilterSerializer(serializers.Serializer):
    theme = SlugListField(kind="themes", help_text="Theme slugs, comma-separated.")
    sector = SlugListField(kind="sectors", help_text="Sector slugs; a module with no target sector suits every sector.")
    goal = SlugListField(kind="goals", help_text="Slugs of the goals served.")
    capability = SlugListField(kind="capabilities", help_text="Slugs of the capabilities the module builds.")
    level = SlugListField(kind="levels", help_text="Level slugs.")
    cost_band = SlugListField(kind="cost_bands", help_text="Cost band slugs.")
    q = serializers.CharField(required=False, allow_blank=True, max_length=200, help_text="Full-text search.")

    def to_filters(self) -> selectors.ModuleFilters:
        data = self.validated_data
        return selectors.ModuleFilters(
            themes=data.get("theme", ()),
            sectors=data.get("sector", ()),
            goals=data.get("goal", ()),
            capabilities=data.get("capability", ()),
            levels=data.get("level", ()),
            cost_bands=data.get("cost_band", ()),
            query=data.get("q", "").strip(),
        )


# --- Output -----------------------------------------------------------------------------------


class TermSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    description = serializers.CharField()


class ThemeSerializer(TermSerializer):
    module_count = serializers.IntegerField(help_text="Published modules in this theme.")


class CapabilitySerializer(TermSerializer):
    theme = serializers.CharField(source="theme.slug", allow_null=True, read_only=True)


class LevelSerializer(TermSerializer):
    rank = serializers.IntegerField()


class ChoiceSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class TaxonomySerializer(serializers.Serializer):
    themes = ThemeSerializer(many=True)
    sectors = TermSerializer(many=True)
    goals = TermSerializer(many=True)
    capabilities = CapabilitySerializer(many=True)
    levels = LevelSerializer(many=True)
    cost_bands = serializers.SerializerMethodField()

    size_bands = serializers.SerializerMethodField()

    @extend_schema_field(ChoiceSerializer(many=True))
    def get_cost_bands(self, taxonomy):
        return [{"slug": slug, "name": name} for slug, name in taxonomy.cost_bands]

    @extend_schema_field(ChoiceSerializer(many=True))
    def get_size_bands(self, taxonomy):
        """Fixed bands of a merchant profile (merchants.SizeBand), offered here so a form needs one call."""
        return [{"slug": slug, "name": name} for slug, name in SizeBand.choices]


class ShortTermSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()


class CostBandField(serializers.Field):
    def to_representation(self, value):
        return {"slug": value, "name": CostBand(value).label}


@extend_schema_field(ChoiceSerializer)
class DocumentedCostBandField(CostBandField):
    pass


class ModuleSummarySerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    summary = serializers.CharField()
    theme = ShortTermSerializer()
    level = ShortTermSerializer()
    estimated_minutes = serializers.IntegerField()
    cost_band = DocumentedCostBandField()
    sectors = ShortTermSerializer(many=True, source="target_sectors.all", help_text="Empty = all sectors.")
    goals = ShortTermSerializer(many=True, source="goals.all")
    capabilities_required = ShortTermSerializer(many=True, source="capabilities_required.all")
    capabilities_built = ShortTermSerializer(many=True, source="capabilities_built.all")
    last_published_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField(help_text="URL of the module's detail endpoint in this API.")

    def get_url(self, module) -> str:
        path = reverse("api:module-detail", kwargs={"slug": module.slug})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class BodyBlockSerializer(serializers.Serializer):
    type = serializers.ChoiceField(
        choices=["text", "step", "checklist", "tip", "warning", "fact", "example", "video", "resource", "image"]
    )
    id = serializers.CharField()
    value = serializers.JSONField(
        help_text=(
            "text/tip/warning/example: HTML (example: an illustrative case, shown as « Exemple : »); "
            "fact: {text (HTML), sources: [keys of the module's `sources`]}; "
            "step: {title, text (HTML)}; checklist: {title, items[]}; "
            "resource: {title, url, description}; video: {url, caption}; "
            "image: {alt, caption, renditions: {small, medium, large: {url, width, height}}}; "
        )
    )


class BoostSerializer(serializers.Serializer):
    weight = serializers.FloatField(source="boost_weight")
    starts_at = serializers.DateTimeField(source="boost_starts_at", allow_null=True)
    ends_at = serializers.DateTimeField(source="boost_ends_at", allow_null=True)
    active = serializers.SerializerMethodField()

    def get_active(self, module) -> bool:
        return module.boost_at() > 0


class ModuleSourceSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="What `fact` blocks cite.")
    title = serializers.CharField()
    url = serializers.URLField(help_text="The official page that states the fact (a deep link).")
    checked_on = serializers.DateField(help_text="When someone last read that page and confirmed the fact.")


class ModuleDetailSerializer(ModuleSummarySerializer):
    en_bref = serializers.ListField(
        child=serializers.CharField(), source="en_bref_lines", help_text="« En bref »: three short lines, shown first."
    )
    sources = ModuleSourceSerializer(many=True, source="sources.all")
    body = serializers.SerializerMethodField()
    related = serializers.SerializerMethodField()
    editorial_boost = BoostSerializer(source="*")
    facts_checked_on = serializers.DateField(allow_null=True, help_text="The oldest check date of its sources.")
    student_help = serializers.BooleanField(
        help_text="A partner school's student can help set this up: offer a help request pre-filled with the module."
    )

    @extend_schema_field(BodyBlockSerializer(many=True))
    def get_body(self, module):
        return module.body.stream_block.get_api_representation(module.body, context=self.context)

    @extend_schema_field(ModuleSummarySerializer(many=True))
    def get_related(self, module):
        candidates = [link.related_module for link in module.related_links.all()]
        visible = set(selectors.published_ids(pk__in=[m.pk for m in candidates]))  # live and not restricted
        related = [m for m in candidates if m.pk in visible]
        return ModuleSummarySerializer(related, many=True, context=self.context).data


class StartingPointsQuerySerializer(serializers.Serializer):
    sector = SlugListField(kind="sectors", help_text="One sector slug (kept on the visitor's device).")
    limit = serializers.IntegerField(required=False, min_value=1, max_value=12, default=6)

    def validate_sector(self, value):
        if len(value) > 1:
            raise serializers.ValidationError("Un seul secteur à la fois.")
        return value


STARTING_POINT_REASONS = {
    "editorial": "Choisie par l'équipe EleaSud",
    "popular_in_sector": "Très suivie dans votre secteur",
    "popular": "Très suivie par les commerçants",
    "first_steps": "Pour bien débuter",
}


class StartingPointReasonSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=list(STARTING_POINT_REASONS))
    label = serializers.CharField()


class StartingPointSerializer(serializers.Serializer):
    module = ModuleSummarySerializer()
    reason = serializers.SerializerMethodField()

    def get_reason(self, point) -> StartingPointReasonSerializer:
        return {"code": point.reason, "label": STARTING_POINT_REASONS[point.reason]}


class StartingPointsSerializer(serializers.Serializer):
    sector = ShortTermSerializer(allow_null=True)
    results = StartingPointSerializer(many=True)
