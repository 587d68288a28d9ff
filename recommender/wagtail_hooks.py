"""Editors' pages on recommendations (Rapports → Recommandations), staff only: the report (per module how often
it was recommended and what followed, sortable, by dates, as CSV; per model version; a chart), why modules
are or are not recommended, and a merchant's ranking as they see it ("voir comme ce commerçant", logged)."""

import csv
import logging
import unicodedata
from datetime import date
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import path, reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.log_actions import log

from merchants.models import MerchantProfile
from recommender import insights, selectors, serving

logger = logging.getLogger(__name__)


CHART_TITLE = "Recommandations affichées et modules terminés à la suite de ces recommandations"


def bar_chart_svg(rows: list[dict], *, top: int = 15) -> str:
    """Horizontal bars, for the most shown modules, of how many times each was recommended and how many of those
    recommendations ended in the module being completed, as inline SVG (no JS), every label in full."""
    rows = sorted(rows, key=lambda row: (-row["impressions"], -row["rec_completions"]))[:top]
    if not rows:
        return ""
    peak = max(max(row["impressions"], row["rec_completions"]) for row in rows) or 1
    label_w, bar_w, line_h = 420, 360, 26
    height = line_h * len(rows) + 52
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + bar_w + 90}" height="{height}" role="img" '
        f'aria-labelledby="chart-title" font-family="sans-serif" font-size="12">'
        f'<title id="chart-title">{escape(CHART_TITLE)}</title>'
    ]
    for i, row in enumerate(rows):
        y = 10 + i * line_h
        shown = bar_w * row["impressions"] / peak
        done = bar_w * row["rec_completions"] / peak
        title = escape(row["module"].title)
        parts.append(f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{title}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{shown:.1f}" height="10" fill="#2e7bb6"/>')
        parts.append(f'<rect x="{label_w}" y="{y + 11}" width="{done:.1f}" height="10" fill="#3c9a5f"/>')
        parts.append(
            f'<text x="{label_w + max(shown, done) + 6:.1f}" y="{y + 14}">'
            f"{row['impressions']} affichées / {row['rec_completions']} terminées</text>"
        )
    legend_y = height - 10
    parts.append(f'<rect x="{label_w}" y="{legend_y - 9}" width="10" height="10" fill="#2e7bb6"/>')
    parts.append(f'<text x="{label_w + 14}" y="{legend_y}">recommandations affichées</text>')
    parts.append(f'<rect x="{label_w + 190}" y="{legend_y - 9}" width="10" height="10" fill="#3c9a5f"/>')
    parts.append(f'<text x="{label_w + 204}" y="{legend_y}">terminées à la suite d\'une recommandation</text>')
    parts.append("</svg>")
    return "".join(parts)


#: Sortable columns of the module table: query value → (label, key).
SORTS = {
    "titre": ("Module", lambda r: _collation_key(r["module"].title)),
    "affichages": ("Recommandé", lambda r: r["impressions"]),
    "clics": ("Ouvert après recommandation", lambda r: -1 if r["ctr"] is None else r["ctr"]),
    "terminees": ("Terminé après recommandation", lambda r: r["rec_completions"]),
    "taux": ("Part terminée", lambda r: -1 if r["completion_rate"] is None else r["completion_rate"]),
    "demarres": ("Commencé (toutes origines)", lambda r: r["starts"]),
    "termines": ("Terminé (toutes origines)", lambda r: r["completions"]),
    "ecartes": ("Écarté", lambda r: r["dismissals"]),
}


def _collation_key(text: str) -> str:
    """French alphabetical order: accents and case ignored ("Être" among the E)."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _next_order(key: str, sort: str, descending: bool) -> str:
    """A column's link: the other direction when it is the sorted one, else its natural first direction."""
    if key == sort:
        return "asc" if descending else "desc"
    return "asc" if key == "titre" else "desc"


class StaffOnlyMixin:
    """Editors' recommender pages: staff only (merchants never, even with admin access)."""

    def dispatch(self, request, *args, **kwargs):
        if not (request.user.is_authenticated and (request.user.is_staff or request.user.is_superuser)):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def _date(value):
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _percent(value):
    return "" if value is None else f"{100 * value:.0f} %"


class RecommenderReportView(StaffOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "recommender/report.html"
    page_title = "Recommandations"
    header_icon = "pick"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv":
            return self.csv()
        return super().get(request, *args, **kwargs)

    def _rows(self):
        since, until = _date(self.request.GET.get("du")), _date(self.request.GET.get("au"))
        rows = selectors.module_report(since=since, until=until)
        sort = self.request.GET.get("tri", "affichages")
        sort = sort if sort in SORTS else "affichages"
        descending = self.request.GET.get("ordre", "desc" if sort != "titre" else "asc") == "desc"
        rows.sort(key=SORTS[sort][1], reverse=descending)
        return rows, since, until, sort, descending

    def csv(self):
        rows, since, until, _sort, _desc = self._rows()
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="recommandations-par-module.csv"'
        writer = csv.writer(response, delimiter=";")
        writer.writerow(["Module", "Thème"] + [label for label, _key in list(SORTS.values())[1:]])
        for row in rows:
            writer.writerow(
                [
                    row["module"].title,
                    row["module"].theme.name,
                    row["impressions"],
                    _percent(row["ctr"]),
                    row["rec_completions"],
                    _percent(row["completion_rate"]),
                    row["starts"],
                    row["completions"],
                    row["dismissals"],
                ]
            )
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows, since, until, sort, descending = self._rows()
        query = {k: v for k, v in (("du", since), ("au", until)) if v}
        columns = [
            {
                "key": key,
                "label": label,
                "sorted": key == sort,
                "descending": descending,
                "url": "?" + urlencode({**query, "tri": key, "ordre": _next_order(key, sort, descending)}),
            }
            for key, (label, _k) in SORTS.items()
        ]
        context.update(
            modules=rows,
            columns=columns,
            since=since,
            until=until,
            csv_url="?" + urlencode({**query, "tri": sort, "ordre": "desc" if descending else "asc", "format": "csv"}),
            versions=selectors.model_version_report(),
            status=serving.status(),
            chart_title=CHART_TITLE,
            chart=mark_safe(bar_chart_svg(rows)),  # noqa: S308 - built above, every label escaped
        )
        return context


class ModuleReachView(StaffOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    """Per module: how often it reaches a merchant's top 5, for which sectors, and what holds it back."""

    template_name = "recommender/reach.html"
    page_title = "Pourquoi un module est (ou n'est pas) recommandé"
    header_icon = "pick"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("recommender_report"), "label": "Recommandations"},
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            reach=insights.module_reach(), holdbacks=insights.HOLDBACKS, sample=insights.REACH_SAMPLE, top=insights.TOP
        )
        return context


class MerchantPreviewView(StaffOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    """ "Voir comme ce commerçant": a merchant's ranking with its reasons, as served, no impression written;
    each view is logged (admin history of the merchant, and the application log)."""

    template_name = "recommender/preview.html"
    page_title = "Voir comme ce commerçant"
    header_icon = "view"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("recommender_report"), "label": "Recommandations"},
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        number = self.request.GET.get("commercant", "").strip()
        merchant = None
        error = None
        if number:
            merchant = MerchantProfile.objects.filter(pk=number).first() if number.isdigit() else None
            if merchant is None:
                error = f"Aucun commerçant ne porte le numéro « {number} »."
        recommendations = None
        if merchant is not None:
            recommendations = insights.preview(merchant)
            log(instance=merchant, action=PREVIEW_ACTION, user=self.request.user)
            logger.info(
                "recommendations previewed merchant_id=%s by staff user_id=%s", merchant.pk, self.request.user.pk
            )
        context.update(number=number, merchant=merchant, error=error, recommendations=recommendations)
        return context


PREVIEW_ACTION = "eleasud.recommendations_preview"


@hooks.register("register_log_actions")
def register_preview_log_action(actions):
    actions.register_action(
        PREVIEW_ACTION, "Recommandations vues comme ce commerçant", "Recommandations vues comme ce commerçant"
    )


@hooks.register("register_admin_urls")
def register_report_url():
    return [
        path("reports/recommandations/", RecommenderReportView.as_view(), name="recommender_report"),
        path("reports/recommandations/pourquoi/", ModuleReachView.as_view(), name="recommender_reach"),
        path("reports/recommandations/apercu/", MerchantPreviewView.as_view(), name="recommender_preview"),
    ]


class ReportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_staff or request.user.is_superuser


@hooks.register("register_reports_menu_item")
def register_report_menu_item():
    return ReportMenuItem("Recommandations", reverse("recommender_report"), icon_name="pick", order=900)
