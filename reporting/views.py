"""The observatory in the Wagtail admin, for agency staff with `reporting.view_observatory`: the dashboard,
the printable barometer (HTML and PDF) and the open-data downloads. Thin views over `reporting.barometer`
and `reporting.opendata`."""

import json
from datetime import UTC, datetime

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBadRequest
from django.utils.safestring import mark_safe
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from reporting import barometer as barometers
from reporting import opendata
from reporting.areas import all_areas
from reporting.periods import month, months_up_to, parse_period, quarter, year
from reporting.selectors import labels, observatory_for

PERMISSION = "reporting.view_observatory"


def can_view_observatory(user) -> bool:
    return bool(user and user.is_active and user.has_perm(PERMISSION))


class ObservatoryAccess:
    def dispatch(self, request, *args, **kwargs):
        if not can_view_observatory(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def _choices(request):
    """The period and population asked for (validated), and the choices the filters offer."""
    try:
        period = parse_period(request.GET["period"]) if request.GET.get("period") else barometers.default_period()
        population = barometers.Population.parse(request.GET.get("population"))
    except ValueError as error:
        raise BadFilter(str(error)) from error
    return period, population


class BadFilter(Exception):
    pass


def period_choices() -> list[tuple[str, str]]:
    today = datetime.now(UTC).date()
    periods = [year(today.year), year(today.year - 1)]
    periods += [quarter(today.year, n) for n in range((today.month - 1) // 3 + 1, 0, -1)]
    periods += list(reversed(months_up_to(month(today.year, today.month), 12)))
    return [(p.key, p.label.capitalize()) for p in periods]


def population_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    names = labels()
    return [
        ("Secteur", [(f"sector:{slug}", name) for slug, name in names["sector"].items()]),
        ("Territoire", [(f"area:{area.code}", area.label) for area in all_areas()]),
        ("Taille", [(f"size_band:{slug}", name) for slug, name in names["size_band"].items()]),
    ]


class DashboardView(ObservatoryAccess, WagtailAdminTemplateMixin, TemplateView):
    template_name = "reporting/dashboard.html"
    page_title = "Observatoire"
    header_icon = "table"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def get(self, request, *args, **kwargs):
        try:
            self.period, self.population = _choices(request)
        except BadFilter as error:
            return HttpResponseBadRequest(str(error))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        barometer = barometers.build(period=self.period, population=self.population)
        charts = [(chart_id, chart, mark_safe(chart.svg(chart_id))) for chart_id, chart in barometer.charts]  # noqa: S308 - matplotlib's SVG, titles escaped
        barometers.close(barometer)
        query = f"period={self.period.key}" + (f"&population={self.population.key}" if self.population.key else "")
        return context | {
            "barometer": barometer,
            "charts": charts,
            "period_choices": period_choices(),
            "population_choices": population_choices(),
            "query": query,
        }


class BarometerView(ObservatoryAccess, View):
    """The printable barometer: `?format=pdf` for the PDF, the HTML page otherwise."""

    def get(self, request):
        from django.shortcuts import render

        try:
            period, population = _choices(request)
        except BadFilter as error:
            return HttpResponseBadRequest(str(error))
        barometer = barometers.build(period=period, population=population)
        try:
            if request.GET.get("format") == "pdf":
                from reporting.pdf import render_pdf

                response = HttpResponse(render_pdf(barometer), content_type="application/pdf")
                response["Content-Disposition"] = f'attachment; filename="barometre-{period.key}.pdf"'
                return response
            charts = [(chart_id, chart, mark_safe(chart.svg(chart_id))) for chart_id, chart in barometer.charts]  # noqa: S308
            return render(
                request,
                "reporting/barometer.html",
                {"barometer": barometer, "charts": charts, "request_query": request.GET.urlencode()},
            )
        finally:
            barometers.close(barometer)


class OpenDataView(ObservatoryAccess, View):
    """Downloads: `?format=csv`, `json` or `codebook`, for a period."""

    def get(self, request):
        try:
            period, _ = _choices(request)
        except BadFilter as error:
            return HttpResponseBadRequest(str(error))
        observatory = observatory_for(period=period)
        kind = request.GET.get("format", "csv")
        if kind == "csv":
            response = HttpResponse(opendata.as_csv(observatory), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="observatoire-{period.key}.csv"'
        elif kind in ("json", "codebook"):
            body = opendata.as_json(observatory) if kind == "json" else opendata.codebook(observatory)
            response = HttpResponse(json.dumps(body, ensure_ascii=False, indent=1), content_type="application/json")
            response["Content-Disposition"] = f'attachment; filename="observatoire-{period.key}-{kind}.json"'
        else:
            return HttpResponseBadRequest("Format inconnu : csv, json ou codebook.")
        return response
