"""Admin for editors: the taxonomy and the diagnostic as snippets, grouped in one menu."""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from cms.models import Capability, DiagnosticQuestion, DiagnosticQuestionnaire, Goal, Level, Sector, Theme


class TaxonomyViewSet(SnippetViewSet):
    list_display = ["name", "slug", "sort_order"]
    search_fields = ["name", "slug"]
    ordering = ["sort_order", "name"]


class ThemeViewSet(TaxonomyViewSet):
    model = Theme
    icon = "folder-open-inverse"
    menu_label = "Thèmes"
    list_display = ["name", "slug", "dma_dimension", "sort_order"]


class SectorViewSet(TaxonomyViewSet):
    model = Sector
    icon = "site"
    menu_label = "Secteurs"


class GoalViewSet(TaxonomyViewSet):
    model = Goal
    icon = "pick"
    menu_label = "Objectifs"


class CapabilityViewSet(TaxonomyViewSet):
    model = Capability
    icon = "cogs"
    menu_label = "Compétences numériques"
    list_display = ["name", "slug", "theme"]
    list_filter = ["theme"]


class LevelViewSet(TaxonomyViewSet):
    model = Level
    icon = "order"
    menu_label = "Niveaux"
    list_display = ["name", "slug", "rank"]
    ordering = ["rank"]


class TaxonomyGroup(SnippetViewSetGroup):
    items = (ThemeViewSet, SectorViewSet, GoalViewSet, CapabilityViewSet, LevelViewSet)
    menu_icon = "tag"
    menu_label = "Taxonomie"
    menu_name = "taxonomy"


class QuestionnaireViewSet(SnippetViewSet):
    model = DiagnosticQuestionnaire
    icon = "form"
    menu_label = "Questionnaires"
    list_display = ["title", "slug"]


class QuestionViewSet(SnippetViewSet):
    model = DiagnosticQuestion
    icon = "help"
    menu_label = "Questions"
    list_display = ["text", "theme", "kind", "sort_order"]
    list_filter = ["questionnaire", "theme", "kind"]
    search_fields = ["text", "slug"]
    ordering = ["questionnaire", "sort_order"]


class DiagnosticGroup(SnippetViewSetGroup):
    items = (QuestionnaireViewSet, QuestionViewSet)
    menu_icon = "form"
    menu_label = "Autodiagnostic"
    menu_name = "diagnostic"


register_snippet(TaxonomyGroup)
register_snippet(DiagnosticGroup)
