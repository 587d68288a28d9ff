"""Editors in a real browser: the recommendations report in plain French (sorted, filtered by dates, CSV),
why a module is or is not recommended, and a merchant's ranking seen as they see it — accessible (axe-core:
no serious or critical violation)."""

import unicodedata

import pytest
from axe_playwright_python.sync_playwright import Axe

from cms.models import Capability, Goal, Sector
from merchants import services
from merchants.models import MerchantProfile
from recommender.models import Impression

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_catalogue"),
]
PASSWORD = "un-mot-de-passe-solide"


def _merchant(email, sector, goals, capabilities):
    services.register_merchant(email=email, password="Calanques-de-Sormiou-2026", personalisation_consent=True)
    profile = MerchantProfile.objects.get(user__username=email)
    services.update_profile(
        merchant=profile,
        sector=Sector.objects.get(slug=sector),
        goals=list(Goal.objects.filter(slug__in=goals)),
        capabilities=list(Capability.objects.filter(slug__in=capabilities)),
    )
    return profile


def _no_serious_violations(page):
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in serious]


def test_editor_sees_why_and_previews_a_merchant(live_server, browser_page, django_user_model):
    django_user_model.objects.create_superuser("edith", "edith@example.org", PASSWORD)
    merchant = _merchant("resto@exemple.fr", "restauration", ["vendre-hors-horaires"], ["page-facebook"])
    _merchant("boulangerie@exemple.fr", "artisanat-bouche", ["etre-trouve"], [])
    page = browser_page
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", "edith")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")

    page.goto(f"{live_server.url}/admin/reports/recommandations/")
    body = page.locator("main").inner_text()
    assert "Recommandé" in body and "Terminé après recommandation" in body
    assert not any(word in body for word in ("NDCG", "warm", "cold"))
    _no_serious_violations(page)
    page.get_by_role("link", name="Module", exact=True).click()
    page.wait_for_url("**tri=titre**")
    page.wait_for_load_state()
    titles = page.locator("table.listing").first.locator("tbody tr td:first-child").all_inner_texts()
    plain = [unicodedata.normalize("NFKD", t).encode("ascii", "ignore").decode().lower() for t in titles]
    assert plain == sorted(plain) and len(titles) > 40
    page.fill("#du", "2026-01-01")
    page.fill("#au", "2026-01-31")
    page.get_by_role("button", name="Filtrer").click()
    assert "du=2026-01-01" in page.url and "au=2026-01-31" in page.url
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger ce tableau (CSV)").click()
    assert download.value.suggested_filename == "recommandations-par-module.csv"

    page.get_by_role("link", name="Recommandations", exact=True).first.click()
    page.get_by_role("link", name="Pourquoi un module est (ou n'est pas) recommandé").click()
    page.wait_for_url("**/pourquoi/")
    page.locator("table.listing tbody tr").first.wait_for()
    table = page.locator("table.listing").inner_text()
    assert "limite de deux modules par thème" in page.locator("table.listing thead").inner_text().lower()
    assert " sur 2" in table  # each module replayed for the two merchants
    _no_serious_violations(page)

    page.goto(f"{live_server.url}/admin/reports/recommandations/apercu/")
    page.fill("#commercant", str(merchant.pk))
    page.get_by_role("button", name="Voir ses recommandations").click()
    page.wait_for_url(f"**commercant={merchant.pk}**")
    items = page.locator("ol.recommender-preview > li")
    items.first.wait_for()
    assert items.count() == 10
    assert items.first.locator("ul li").count() >= 1
    assert Impression.objects.count() == 0  # a preview is not something the merchant saw
    _no_serious_violations(page)
