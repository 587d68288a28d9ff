"""The content model: taxonomy snippets, the page tree (home → themes → modules) and the
self-diagnostic questionnaire. Every field the recommender reads is a real field an editor can
see and change here."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from rest_framework import serializers
from wagtail import blocks
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    PageChooserPanel,
    TabbedInterface,
)
from wagtail.api import APIField
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index
from wagtail_headless_preview.models import HeadlessPreviewMixin

from cms import freshness
from cms.blocks import ModuleBodyBlock

SLUG_HELP = "Identifiant stable utilisé par l'API et le recommandeur : ne le modifiez pas une fois publié."


# --- Taxonomy ----------------------------------------------------------------------------------


class TaxonomyTerm(index.Indexed, models.Model):
    """A term editors can extend; the API and the recommender refer to it by its stable slug."""

    slug = models.SlugField(max_length=80, unique=True, help_text=SLUG_HELP)
    name = models.CharField("nom", max_length=120)
    description = models.TextField(blank=True)
    sort_order = models.PositiveIntegerField("ordre", default=0)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description"), FieldPanel("sort_order")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name"), index.FilterField("slug")]

    class Meta:
        abstract = True
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class Theme(TaxonomyTerm):
    dma_dimension = models.CharField(
        "dimension du diagnostic européen (DMA)",
        max_length=120,
        blank=True,
        help_text="Dimension correspondante du Digital Maturity Assessment de l'UE.",
    )
    panels = TaxonomyTerm.panels + [FieldPanel("dma_dimension")]

    class Meta(TaxonomyTerm.Meta):
        verbose_name = "thème"


class Sector(TaxonomyTerm):
    class Meta(TaxonomyTerm.Meta):
        verbose_name = "secteur"


class Goal(TaxonomyTerm):
    class Meta(TaxonomyTerm.Meta):
        verbose_name = "objectif"


class Capability(TaxonomyTerm):
    """A digital tool or practice a merchant has or lacks (a website, contactless payment…)."""

    theme = models.ForeignKey(
        Theme, null=True, blank=True, on_delete=models.SET_NULL, related_name="capabilities", verbose_name="thème"
    )
    panels = TaxonomyTerm.panels + [FieldPanel("theme")]

    class Meta(TaxonomyTerm.Meta):
        verbose_name = "compétence numérique"
        verbose_name_plural = "compétences numériques"


class Level(TaxonomyTerm):
    rank = models.PositiveSmallIntegerField(
        "rang", default=1, help_text="1 = débutant ; plus le rang est élevé, plus le module est exigeant."
    )
    panels = TaxonomyTerm.panels + [FieldPanel("rank")]

    class Meta(TaxonomyTerm.Meta):
        verbose_name = "niveau"
        ordering = ["rank"]


class CostBand(models.TextChoices):
    FREE = "gratuit", "Gratuit"
    UNDER_20 = "moins-20", "Moins de 20 € par mois"
    FROM_20_TO_100 = "20-100", "De 20 à 100 € par mois"
    OVER_100 = "plus-100", "Plus de 100 € par mois ou achat ponctuel"


# --- Pages -------------------------------------------------------------------------------------


class HomePage(Page):
    intro = RichTextField(blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    api_fields = [APIField("intro")]
    subpage_types = ["cms.ThemePage"]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = "page d'accueil"


class ThemePage(HeadlessPreviewMixin, Page):
    theme = models.OneToOneField(Theme, on_delete=models.PROTECT, related_name="page", verbose_name="thème")
    intro = RichTextField(blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("theme"), FieldPanel("intro")]
    api_fields = [
        APIField("theme", serializer=serializers.SlugRelatedField(slug_field="slug", read_only=True)),
        APIField("intro"),
    ]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.ModulePage"]

    class Meta:
        verbose_name = "page de thème"


class EnBrefField(serializers.Field):
    """The « En bref » stream as the three lines of text a frontend shows."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return [block.value for block in value]


def theme_mismatch_message(*, module_theme: Theme, parent_theme: Theme) -> str:
    return (
        f"Ce module est rangé sous la page « {parent_theme.name} » mais son thème est « {module_theme.name} ». "
        f"Choisissez le thème « {parent_theme.name} », ou déplacez le module sous la page du thème "
        f"« {module_theme.name} »."
    )


class ModulePageForm(WagtailAdminPageForm):
    """Refuses a theme that contradicts the theme page the module is filed under."""

    def clean(self):
        cleaned = super().clean()
        theme = cleaned.get("theme")
        parent = self.parent_page.specific if self.parent_page is not None else None
        if theme is not None and isinstance(parent, ThemePage) and parent.theme_id != theme.pk:
            self.add_error("theme", theme_mismatch_message(module_theme=theme, parent_theme=parent.theme))
        return cleaned


class ModulePage(HeadlessPreviewMixin, Page):
    """A short practical guidance module: why, what you need, steps, checklist, pitfalls, help."""

    base_form_class = ModulePageForm

    en_bref = StreamField(
        [("ligne", blocks.CharBlock(max_length=freshness.EN_BREF_MAX_LENGTH, label="Ligne"))],
        min_num=freshness.EN_BREF_LINES,
        max_num=freshness.EN_BREF_LINES,
        default=list,
        verbose_name="en bref",
        help_text="Trois lignes courtes, lues en premier : ce qu'il faut retenir et faire.",
    )
    summary = models.TextField("résumé", max_length=300, help_text="Une ou deux phrases, 300 caractères au plus.")
    body = StreamField(ModuleBodyBlock(), verbose_name="contenu")
    estimated_minutes = models.PositiveSmallIntegerField(
        "durée estimée (minutes)",
        validators=[MinValueValidator(5), MaxValueValidator(600)],
        help_text="Le temps d'une première version vraiment terminée.",
    )
    cost_band = models.CharField("coût", max_length=12, choices=CostBand.choices, default=CostBand.FREE)
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="modules", verbose_name="niveau")
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="modules", verbose_name="thème")
    target_sectors = ParentalManyToManyField(
        Sector,
        blank=True,
        related_name="modules",
        verbose_name="secteurs visés",
        help_text="Laissez vide si le module convient à tous les secteurs.",
    )
    goals = ParentalManyToManyField(Goal, related_name="modules", verbose_name="objectifs servis")
    capabilities_required = ParentalManyToManyField(
        Capability,
        blank=True,
        related_name="required_by",
        verbose_name="compétences nécessaires",
        help_text="Ce que le commerçant doit déjà avoir pour suivre ce module.",
    )
    capabilities_built = ParentalManyToManyField(
        Capability,
        related_name="built_by",
        verbose_name="compétences acquises",
        help_text="Ce que le commerçant aura une fois le module terminé.",
    )
    boost_weight = models.FloatField(
        "mise en avant (poids)",
        default=0.0,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="De 0 (aucune) à 1 (forte). Le recommandeur en tient compte pendant la période choisie.",
    )
    boost_starts_at = models.DateTimeField("mise en avant à partir du", null=True, blank=True)
    boost_ends_at = models.DateTimeField("mise en avant jusqu'au", null=True, blank=True)
    facts_checked_on = models.DateField(
        "faits vérifiés le",
        null=True,
        blank=True,
        help_text="Date de la dernière vérification des informations qui changent (dates, montants, lois).",
    )
    student_help = models.BooleanField(
        "un étudiant peut aider à le mettre en place",
        default=False,
        help_text="L'application propose alors au commerçant une demande d'accompagnement pré-remplie.",
    )
    # Set by `load_content` only: a fingerprint of the fixture file last applied to this page.
    content_fixture_hash = models.CharField(max_length=64, blank=True, editable=False)

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("en_bref"),
        FieldPanel("body"),
        InlinePanel("related_links", label="Modules liés", heading="Modules liés"),
    ]
    metadata_panels = [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("theme"), FieldPanel("level")]),
                FieldRowPanel([FieldPanel("estimated_minutes"), FieldPanel("cost_band")]),
                FieldPanel("facts_checked_on"),
                FieldPanel("student_help"),
            ],
            heading="Fiche du module",
        ),
        MultiFieldPanel(
            [
                FieldPanel("target_sectors", widget=forms.CheckboxSelectMultiple),
                FieldPanel("goals", widget=forms.CheckboxSelectMultiple),
                FieldPanel("capabilities_required", widget=forms.CheckboxSelectMultiple),
                FieldPanel("capabilities_built", widget=forms.CheckboxSelectMultiple),
            ],
            heading="Pour qui, pour quoi",
        ),
        MultiFieldPanel(
            [FieldPanel("boost_weight"), FieldRowPanel([FieldPanel("boost_starts_at"), FieldPanel("boost_ends_at")])],
            heading="Mise en avant éditoriale",
        ),
    ]

    search_fields = Page.search_fields + [
        index.SearchField("summary", boost=2),
        index.SearchField("en_bref"),
        index.SearchField("body"),
        index.AutocompleteField("summary"),
        index.RelatedFields("theme", [index.SearchField("name")]),
        index.FilterField("theme_id"),
        index.FilterField("level_id"),
    ]

    api_fields = [
        APIField("summary"),
        APIField("en_bref", serializer=EnBrefField()),
        APIField("body"),
        APIField("sources"),
        APIField("estimated_minutes"),
        APIField("cost_band"),
        APIField("level", serializer=serializers.SlugRelatedField(slug_field="slug", read_only=True)),
        APIField("theme", serializer=serializers.SlugRelatedField(slug_field="slug", read_only=True)),
        APIField(
            "target_sectors", serializer=serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
        ),
        APIField("goals", serializer=serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)),
        APIField(
            "capabilities_required",
            serializer=serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True),
        ),
        APIField(
            "capabilities_built", serializer=serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
        ),
        APIField("boost_weight"),
        APIField("boost_starts_at"),
        APIField("boost_ends_at"),
        APIField("facts_checked_on"),
    ]

    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading="Contenu"),
            ObjectList(metadata_panels, heading="Ciblage"),
            ObjectList(
                [InlinePanel("sources", label="Source", heading="Sources des informations datées ou légales")],
                heading="Sources",
            ),
            ObjectList(Page.promote_panels, heading="Référencement"),
            ObjectList(Page.settings_panels, heading="Publication"),
        ]
    )

    parent_page_types = ["cms.ThemePage"]
    subpage_types = []

    class Meta:
        verbose_name = "module"

    def clean(self):
        super().clean()
        if self.boost_starts_at and self.boost_ends_at and self.boost_ends_at < self.boost_starts_at:
            raise ValidationError({"boost_ends_at": "La fin de la mise en avant doit suivre son début."})

    def en_bref_lines(self) -> list[str]:
        return [block.value for block in self.en_bref]

    def boost_at(self, moment=None) -> float:
        """The editorial boost in force at `moment` (now by default): 0 outside its dates."""
        moment = moment or timezone.now()
        if self.boost_starts_at and moment < self.boost_starts_at:
            return 0.0
        if self.boost_ends_at and moment > self.boost_ends_at:
            return 0.0
        return self.boost_weight


class ModuleRelation(Orderable):
    module = ParentalKey(ModulePage, on_delete=models.CASCADE, related_name="related_links")
    related_module = models.ForeignKey(
        ModulePage, on_delete=models.CASCADE, related_name="+", verbose_name="module lié"
    )

    panels = [PageChooserPanel("related_module", page_type="cms.ModulePage")]

    class Meta(Orderable.Meta):
        verbose_name = "module lié"
        constraints = [models.UniqueConstraint(fields=["module", "related_module"], name="unique_module_relation")]


class ModuleSource(Orderable):
    """An official page that states a dated or legal fact of the module, and when someone last read it."""

    module = ParentalKey(ModulePage, on_delete=models.CASCADE, related_name="sources")
    key = models.SlugField(
        "clé", max_length=60, help_text="Identifiant court que les blocs « Information datée ou légale » citent."
    )
    title = models.CharField("titre", max_length=200)
    url = models.URLField(
        "adresse", max_length=500, help_text="La page qui énonce la règle (pas la page d'accueil du site)."
    )
    checked_on = models.DateField(
        "vérifiée le", help_text="Le jour où quelqu'un a relu cette page et confirmé l'information."
    )

    panels = [FieldRowPanel([FieldPanel("key"), FieldPanel("checked_on")]), FieldPanel("title"), FieldPanel("url")]
    api_fields = [APIField("key"), APIField("title"), APIField("url"), APIField("checked_on")]

    class Meta(Orderable.Meta):
        verbose_name = "source"
        constraints = [models.UniqueConstraint(fields=["module", "key"], name="unique_source_key_per_module")]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.url and freshness.is_home_page(self.url):
            raise ValidationError({"url": "Indiquez la page qui énonce l'information, pas la page d'accueil du site."})
        if self.checked_on and self.checked_on > timezone.localdate():
            raise ValidationError({"checked_on": "La date de vérification ne peut pas être dans le futur."})


class SourceCheck(models.Model):
    """Someone re-read a module's source and confirmed it (the « À revérifier » report's button)."""

    module = models.ForeignKey(ModulePage, on_delete=models.CASCADE, related_name="source_checks")
    source_key = models.SlugField("clé de la source", max_length=60)
    source_url = models.URLField("adresse vérifiée", max_length=500)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name="vérifiée par"
    )
    checked_at = models.DateTimeField("vérifiée le", default=timezone.now)

    class Meta:
        verbose_name = "revérification de source"
        verbose_name_plural = "revérifications de sources"
        ordering = ["-checked_at", "-id"]

    def __str__(self):
        return f"{self.source_key} ({self.checked_at:%d/%m/%Y})"


# --- Self-diagnostic ---------------------------------------------------------------------------


class DiagnosticQuestionnaire(ClusterableModel):
    """The self-diagnostic, authored as content; merchants can take it again to see progress."""

    slug = models.SlugField(max_length=80, unique=True, help_text=SLUG_HELP)
    title = models.CharField("titre", max_length=160)
    intro = models.TextField("introduction", blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    content_fixture_hash = models.CharField(max_length=64, blank=True, editable=False)
    conflicts = models.JSONField(
        "réponses incompatibles",
        default=list,
        blank=True,
        help_text=(
            'Liste de {"answers": ["question.réponse", "question.réponse"], "message": "…"} : deux réponses '
            "qui se contredisent ; le diagnostic est refusé avec ce message."
        ),
    )
    warning_rules = models.JSONField(
        "alertes d'obligations légales",
        default=list,
        blank=True,
        help_text=(
            'Liste de {"slug", "title", "message", "module", "when_all": [...], "when_any": [...], '
            '"unless_any": [...]} où chaque élément est « question.réponse » : l\'alerte est donnée quel que '
            "soit le niveau."
        ),
    )

    panels = [
        FieldPanel("title"),
        FieldPanel("slug"),
        FieldPanel("intro"),
        InlinePanel("bands", label="Niveaux", min_num=1),
        FieldPanel("conflicts"),
        FieldPanel("warning_rules"),
    ]

    class Meta:
        verbose_name = "questionnaire d'autodiagnostic"

    def __str__(self):
        return self.title


class MaturityBand(Orderable):
    """A maturity band (débutant, en progression…) reached from an overall score."""

    questionnaire = ParentalKey(DiagnosticQuestionnaire, on_delete=models.CASCADE, related_name="bands")
    slug = models.SlugField(max_length=40)
    label = models.CharField("libellé", max_length=80)
    min_score = models.PositiveSmallIntegerField(
        "score minimal", validators=[MaxValueValidator(100)], help_text="Inclus, sur 100."
    )
    message = models.TextField(blank=True)

    panels = [FieldPanel("label"), FieldPanel("slug"), FieldPanel("min_score"), FieldPanel("message")]

    class Meta(Orderable.Meta):
        verbose_name = "niveau de maturité"
        constraints = [models.UniqueConstraint(fields=["questionnaire", "slug"], name="unique_band_slug")]


class DiagnosticQuestion(ClusterableModel):
    class Kind(models.TextChoices):
        SINGLE = "single", "Une seule réponse"
        MULTIPLE = "multiple", "Plusieurs réponses possibles"

    questionnaire = models.ForeignKey(
        DiagnosticQuestionnaire, on_delete=models.CASCADE, related_name="questions", verbose_name="questionnaire"
    )
    slug = models.SlugField(max_length=80, help_text=SLUG_HELP)
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="questions", verbose_name="thème")
    text = models.CharField("question", max_length=300)
    help_text = models.CharField("aide", max_length=300, blank=True)
    kind = models.CharField("type", max_length=10, choices=Kind.choices, default=Kind.SINGLE)
    scored = models.BooleanField(
        "compte dans le score",
        default=True,
        help_text="Décochez pour une question qui sert seulement à savoir quelles règles s'appliquent (TVA…).",
    )
    excluded_sectors = ParentalManyToManyField(
        Sector,
        blank=True,
        related_name="+",
        verbose_name="ne concerne pas les secteurs",
        help_text="Pour ces secteurs, la question n'est ni posée ni comptée (pas de vente en ligne pour un plombier).",
    )
    sort_order = models.PositiveIntegerField("ordre", default=0)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldPanel("questionnaire"),
        FieldPanel("text"),
        FieldPanel("slug"),
        FieldPanel("theme"),
        FieldPanel("help_text"),
        FieldPanel("kind"),
        FieldPanel("scored"),
        FieldPanel("excluded_sectors", widget=forms.CheckboxSelectMultiple),
        FieldPanel("sort_order"),
        InlinePanel("answers", label="Réponses", min_num=2),
    ]

    class Meta:
        verbose_name = "question d'autodiagnostic"
        verbose_name_plural = "questions d'autodiagnostic"
        ordering = ["questionnaire", "sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["questionnaire", "slug"], name="unique_question_slug")]

    def __str__(self):
        return self.text


class DiagnosticAnswer(ClusterableModel, Orderable):
    question = ParentalKey(DiagnosticQuestion, on_delete=models.CASCADE, related_name="answers")
    slug = models.SlugField(max_length=80)
    label = models.CharField("réponse", max_length=200)
    score = models.PositiveSmallIntegerField(
        "score", validators=[MaxValueValidator(100)], help_text="De 0 à 100 : la maturité que traduit cette réponse."
    )
    capabilities = ParentalManyToManyField(
        Capability, blank=True, related_name="diagnostic_answers", verbose_name="compétences détectées"
    )
    exclusive = models.BooleanField(
        "exclusive",
        default=False,
        help_text="« Aucun », « uniquement en espèces »… : ne peut pas être cochée avec une autre réponse.",
    )

    panels = [
        FieldPanel("label"),
        FieldPanel("slug"),
        FieldPanel("score"),
        FieldPanel("capabilities"),
        FieldPanel("exclusive"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = "réponse"
        constraints = [models.UniqueConstraint(fields=["question", "slug"], name="unique_answer_slug")]

    def __str__(self):
        return self.label


# --- Content version ---------------------------------------------------------------------------


class ContentVersion(models.Model):
    """One row whose number goes up with every change the public content API can show (cms/signals.py):
    the catalogue's ETag and render-cache key start from one primary-key read instead of aggregates."""

    number = models.PositiveBigIntegerField(default=1)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "version du contenu publié"

    def __str__(self):
        return f"version {self.number}"
