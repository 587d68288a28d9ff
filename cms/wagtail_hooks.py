"""Admin for editors: the taxonomy and the diagnostic as snippets, grouped in one menu; the report
« À revérifier » (sources due for a new check); a module cannot be moved under another theme's page."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from cms import freshness, selectors, services
from cms.models import (
    Capability,
    DiagnosticQuestion,
    DiagnosticQuestionnaire,
    Goal,
    Level,
    ModulePage,
    Sector,
    SourceCheck,
    Theme,
)


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


class ChecksDueView(WagtailAdminTemplateMixin, TemplateView):
    """Rapports → À revérifier: what to re-read at its source, with a button to record the check."""

    template_name = "cms/admin/checks_due.html"
    page_title = "À revérifier"
    header_icon = "doc-full"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            checks=selectors.checks_due(),
            months=freshness.RECHECK_AFTER_MONTHS,
            recent=SourceCheck.objects.select_related("module", "checked_by")[:20],
        )
        return context

    def post(self, request):
        module = get_object_or_404(ModulePage, pk=request.POST.get("module"))
        if not module.permissions_for_user(request.user).can_edit():
            messages.error(request, "Vous n'avez pas le droit de modifier ce module.")
            return redirect("cms_checks_due")
        try:
            services.mark_source_rechecked(module=module, source_key=request.POST.get("source", ""), user=request.user)
        except services.UnknownSource:
            messages.error(request, "Cette source n'existe plus dans le module : rechargez la page.")
        else:
            messages.success(request, f"Source revérifiée aujourd'hui pour « {module.title} ».")
        return redirect("cms_checks_due")


@hooks.register("register_admin_urls")
def register_checks_due_url():
    return [path("reports/a-reverifier/", ChecksDueView.as_view(), name="cms_checks_due")]


class StaffMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_staff or request.user.is_superuser


@hooks.register("register_reports_menu_item")
def register_checks_due_menu_item():
    return StaffMenuItem("À revérifier", reverse("cms_checks_due"), icon_name="doc-full", order=800)


@hooks.register("after_move_page")
def take_the_theme_of_the_new_theme_page(request, page):
    """Moving a module under another theme's page changes its theme to that page's, so they never disagree."""
    module = page.specific
    if isinstance(module, ModulePage):
        theme = services.align_theme_with_parent(module=module, user=request.user)
        if theme is not None:
            messages.info(request, f"Le thème du module est maintenant « {theme.name} », celui de sa nouvelle page.")
