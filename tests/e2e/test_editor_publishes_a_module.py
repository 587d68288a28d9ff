"""An editor logs into the Wagtail admin, changes a module and publishes it; the API serves the change."""

from pathlib import Path

import pytest
import requests
from django.conf import settings

from cms.models import ModulePage

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_catalogue"),
]
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def test_editor_edits_and_publishes_a_module_seen_by_the_api(live_server, browser_page, django_user_model):
    django_user_model.objects.create_superuser("edith", "edith@example.org", "un-mot-de-passe-solide")
    module = ModulePage.objects.get(slug="lancer-le-click-and-collect")
    page = browser_page

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", "edith")
    page.fill("input[name=password]", "un-mot-de-passe-solide")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")

    page.goto(f"{live_server.url}/admin/pages/{module.pk}/edit/")
    assert page.locator("#id_title").input_value() == module.title
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.get_by_role("tab", name="Ciblage").click()
    page.screenshot(path=str(SCREENSHOTS / "admin-module-targeting.png"), full_page=True)
    built = page.locator("[data-contentpath=capabilities_built] input:checked")
    assert built.count() == module.capabilities_built.count() > 0
    page.get_by_role("tab", name="Contenu").click()
    page.fill("#id_summary", "Préparez les commandes passées en ligne et remettez-les en boutique.")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "admin-module-edit.png"), full_page=False)

    page.locator("footer .dropdown-toggle, [data-w-dropdown-target='toggle']").last.click()
    page.locator("button[name=action-publish]").click()
    page.wait_for_url(f"{live_server.url}/admin/pages/{module.get_parent().pk}/")
    assert page.get_by_text("a été publiée").first.is_visible() or page.locator(".messages .success").count()

    body = requests.get(f"{live_server.url}/api/v1/modules/lancer-le-click-and-collect/", timeout=10).json()
    assert body["summary"] == "Préparez les commandes passées en ligne et remettez-les en boutique."
