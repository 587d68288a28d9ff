"""Editors' report on recommendations (Rapports → Recommandations): per module impressions, click-through,
starts, completions and dismissals; per model version its offline and online figures; an SVG chart."""

from django.urls import path, reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from recommender import selectors


def bar_chart_svg(rows: list[dict], *, top: int = 15) -> str:
    """Horizontal bars of impressions and completions for the most shown modules, as inline SVG (no JS)."""
    rows = sorted(rows, key=lambda row: (-row["impressions"], -row["completions"]))[:top]
    if not rows:
        return ""
    peak = max(max(row["impressions"], row["completions"]) for row in rows) or 1
    label_w, bar_w, line_h = 300, 360, 26
    height = line_h * len(rows) + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + bar_w + 80}" height="{height}" role="img" '
        'aria-label="Impressions et modules terminés par module" font-family="sans-serif" font-size="12">'
    ]
    for i, row in enumerate(rows):
        y = 10 + i * line_h
        shown = bar_w * row["impressions"] / peak
        done = bar_w * row["completions"] / peak
        title = escape(row["module"].title[:48])
        parts.append(f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{title}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{shown:.1f}" height="10" fill="#2e7bb6"/>')
        parts.append(f'<rect x="{label_w}" y="{y + 11}" width="{done:.1f}" height="10" fill="#3c9a5f"/>')
        parts.append(
            f'<text x="{label_w + max(shown, done) + 6:.1f}" y="{y + 14}">{row["impressions"]} / {row["completions"]}</text>'
        )
    legend_y = height - 8
    parts.append(f'<rect x="{label_w}" y="{legend_y - 9}" width="10" height="10" fill="#2e7bb6"/>')
    parts.append(f'<text x="{label_w + 14}" y="{legend_y}">impressions</text>')
    parts.append(f'<rect x="{label_w + 110}" y="{legend_y - 9}" width="10" height="10" fill="#3c9a5f"/>')
    parts.append(f'<text x="{label_w + 124}" y="{legend_y}">terminés (toutes origines)</text>')
    parts.append("</svg>")
    return "".join(parts)


class RecommenderReportView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "recommender/report.html"
    page_title = "Recommandations"
    header_icon = "pick"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        modules = selectors.module_report()
        context.update(
            modules=modules,
            versions=selectors.model_version_report(),
            status=selectors.recommender_status(),
            chart=mark_safe(bar_chart_svg(modules)),  # noqa: S308 - built above, every label escaped
        )
        return context


@hooks.register("register_admin_urls")
def register_report_url():
    return [path("reports/recommandations/", RecommenderReportView.as_view(), name="recommender_report")]


class ReportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_staff or request.user.is_superuser


@hooks.register("register_reports_menu_item")
def register_report_menu_item():
    return ReportMenuItem("Recommandations", reverse("recommender_report"), icon_name="pick", order=900)
