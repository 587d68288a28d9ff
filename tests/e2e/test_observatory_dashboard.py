"""Agency staff open the observatory in a real browser: the dashboard's charts render with French labels,
filters change them, the printable barometer opens and its PDF downloads with the French title; axe-core
finds no serious or critical accessibility violation on either page."""

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from pypdf import PdfReader

from reporting import barometer

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_catalogue"),
]
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
PASSWORD = "Vallon-des-Auffes-2026"


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_agency_staff_read_the_dashboard_and_download_the_barometer(
    live_server, browser_page, django_user_model, tmp_path
):
    call_command("seed_demo_merchants", merchants=150, seed=0, no_progress=True, verbosity=0)
    analyst = django_user_model.objects.create_user("analyste", "analyste@agence.fr", PASSWORD, is_staff=True)
    group = Group.objects.create(name="Observatoire")
    group.permissions.add(*Permission.objects.filter(codename__in=["access_admin", "view_observatory"]))
    analyst.groups.add(group)
    # The first view of a period computes and caches its tables (seconds on a busy machine; bench/ measures
    # it): compute them here so the browser's timeouts measure the pages, not the statistics.
    barometer.close(barometer.build(period=barometer.default_period()))
    page = browser_page
    page.set_default_navigation_timeout(60_000)

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", "analyste")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    page.get_by_role("link", name="Observatoire").first.click()
    page.wait_for_url(f"{live_server.url}/admin/observatoire/")

    charts = page.locator("figure.observatory-chart svg[role=img]")
    assert charts.count() == 5
    for title in (
        "Maturité numérique par secteur",
        "Maturité numérique par arrondissement ou commune",
        "Évolution mois par mois",
        "Compétences acquises en terminant un module",
        "Accompagnements : de la demande à la note",
    ):
        assert page.locator("svg title", has_text=title).count() == 1, title
    # matplotlib's SVG keeps text as text: the axes speak French
    assert page.locator("svg text", has_text="Score global moyen du dernier autodiagnostic (sur 100)").count() >= 1
    assert charts.first.bounding_box()["height"] > 100, "the chart is drawn, not an empty box"
    assert page.get_by_text("Commerces actifs").first.is_visible()
    obligations = page.locator("table.observatory-obligations")
    assert obligations.get_by_text("Recevoir vos factures électroniques est obligatoire").is_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 2000})  # the admin scrolls inside its own pane
    page.screenshot(path=str(SCREENSHOTS / "observatory-dashboard.png"))
    page.set_viewport_size({"width": 1280, "height": 900})
    assert serious_violations(page) == []

    page.select_option("#id_population", label="Marseille 1er arrondissement")
    page.get_by_role("button", name="Afficher les chiffres", exact=True).click()
    page.wait_for_url("**population=area%3A13201**")
    assert page.get_by_role("heading", name="Territoire : Marseille 1er arrondissement").is_visible()
    assert page.locator("figure.observatory-chart svg[role=img]").count() == 5

    page.get_by_role("link", name="Baromètre imprimable (HTML)").click()
    page.wait_for_url("**/admin/observatoire/barometre/**")
    assert (
        page.get_by_role("heading", level=1).inner_text()
        == "Baromètre de la transition numérique des commerces marseillais"
    )
    assert page.locator("svg[role=img]").count() == 5
    assert serious_violations(page) == []
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le PDF").click()
    pdf = tmp_path / "barometre.pdf"
    download.value.save_as(pdf)
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(pdf).pages)
    assert "Baromètre de la transition numérique des commerces marseillais" in text
    assert "Marseille 1er arrondissement" in text and "Maturité numérique par secteur" in text
    assert "secret statistique" in text and "Obligations légales" in text
