"""What a merchant sees of a module's facts in the reference client: « En bref » first, each rule with its
official source and check date, examples labelled as such."""

import pytest

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_catalogue"),
]


def test_a_module_shows_en_bref_its_sourced_rules_and_a_labelled_example(live_server, browser_page):
    page = browser_page
    page.goto(f"{live_server.url}/app/modules/facturation-electronique-recevoir/")
    en_bref = page.get_by_role("region", name="En bref")
    en_bref.wait_for()
    assert en_bref.get_by_role("listitem").count() == 3
    assert "1 000 €" in en_bref.inner_text()

    rule = page.locator(".callout--fact").filter(has_text="mise en demeure")
    source = rule.get_by_role("link", name="Facturation électronique : les sanctions évoluent", exact=False)
    assert source.get_attribute("href") == "https://entreprendre.service-public.gouv.fr/actualites/A18802"
    assert "vérifiée le 30 novembre 2026" in rule.inner_text()

    example = page.locator(".callout--example")
    assert example.locator(".callout__title").inner_text().strip() == "Exemple :"
    assert "fleuriste des Chartreux" in example.inner_text()
