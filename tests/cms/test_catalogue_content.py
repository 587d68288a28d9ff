"""The starter catalogue keeps the promises of the content guide (shared/CONTENT_GUIDE.md)."""

import json
import re

import pytest

from cms.models import ModulePage

pytestmark = pytest.mark.django_db
# A calendar date ("1er septembre 2027") marks a time-sensitive fact; a source year ("Baromètre 2023") does not.
CALENDAR_DATE = re.compile(
    r"(janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre) 20\d\d"
)


def body_text(module) -> str:
    return json.dumps([block["value"] for block in module.body.raw_data], ensure_ascii=False)


def test_every_dated_fact_says_when_it_was_checked():
    for module in ModulePage.objects.live():
        if CALENDAR_DATE.search(body_text(module)):
            assert module.facts_checked_on is not None, f"{module.slug} states dates without facts_checked_on"


def test_e_invoicing_calendar_is_stated_correctly():
    receive = body_text(ModulePage.objects.get(slug="facturation-electronique-recevoir"))
    issue = body_text(ModulePage.objects.get(slug="facturation-electronique-emettre"))
    assert "1er septembre 2026" in receive
    assert "1er septembre 2027" in issue
    assert "15 €" in issue and "15 000 €" in issue


def test_every_module_ends_with_a_done_checklist_and_points_to_help():
    for module in ModulePage.objects.live():
        types = [block.block_type for block in module.body]
        checklists = [block.value["title"] for block in module.body if block.block_type == "checklist"]
        assert any("fait" in title.lower() for title in checklists), f"{module.slug} has no 'C'est fait si…'"
        assert "resource" in types, f"{module.slug} points to no resource"
        for block in module.body:
            if block.block_type == "resource":
                assert block.value["url"].startswith("https://"), f"{module.slug}: {block.value['url']}"


def test_sector_specific_modules_exist_for_restaurants_and_shops():
    restaurant_only = ModulePage.objects.filter(target_sectors__slug="restauration").values_list("slug", flat=True)
    assert {
        "menu-en-ligne-et-qr-code",
        "reservation-en-ligne-restaurant",
        "plateformes-de-livraison-restaurant",
    } <= set(restaurant_only)
    shops = ModulePage.objects.filter(target_sectors__slug="non-alimentaire").values_list("slug", flat=True)
    assert {"lancer-le-click-and-collect", "catalogue-produits-en-ligne", "vendre-sur-une-marketplace"} <= set(shops)
