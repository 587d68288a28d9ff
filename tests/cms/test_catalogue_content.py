"""The starter catalogue keeps the promises of the content guide (shared/CONTENT_GUIDE.md)."""

import json
import re

import pytest

from cms import freshness
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


def test_e_invoicing_calendar_and_penalties_are_stated_correctly():
    """Loi de finances pour 2026, as entreprendre.service-public.gouv.fr states it (actualité A18802)."""
    receive = ModulePage.objects.get(slug="facturation-electronique-recevoir")
    issue = ModulePage.objects.get(slug="facturation-electronique-emettre")
    receive_facts, issue_facts = fact_text(receive), fact_text(issue)
    assert "1er septembre 2026" in receive_facts
    assert "1er septembre 2027" in issue_facts
    # not issuing electronically: 50 € an invoice, at most 15 000 € a year; e-reporting: 500 € a transmission
    assert "50 € d'amende par facture" in issue_facts and "15 000 € par année civile" in issue_facts
    assert "500 €</strong>" in issue_facts
    # no approved platform to receive: 3-month formal notice, then 500 €, then 1 000 € every further 3 months
    assert "mise en demeure" in receive_facts and "sous 3 mois" in receive_facts
    assert "l'amende est de 500 €" in receive_facts and "1 000 € tous les 3 mois" in receive_facts
    assert "entreprendre.service-public.gouv.fr/actualites/A18802" in {s.url for s in receive.sources.all()} | {
        s.url.split("://")[1] for s in receive.sources.all()
    }


def fact_text(module) -> str:
    return " ".join(block.value["text"].source for block in module.body if block.block_type == "fact")


def module_text(module) -> str:
    return json.dumps(
        [module.title, module.summary, module.en_bref_lines(), [block["value"] for block in module.body.raw_data]],
        ensure_ascii=False,
    )


def test_every_module_opens_with_three_short_lines_en_bref():
    for module in ModulePage.objects.live():
        lines = module.en_bref_lines()
        assert len(lines) == 3, module.slug
        assert all(0 < len(line) <= 140 for line in lines), module.slug


def test_every_fact_cites_a_dated_deep_link_source_of_the_module():
    for module in ModulePage.objects.live():
        sources = {source.key: source for source in module.sources.all()}
        for source in sources.values():
            assert source.checked_on is not None, f"{module.slug}: {source.key}"
            assert not freshness.is_home_page(source.url), f"{module.slug}: {source.url}"
        for block in module.body:
            if block.block_type == "fact":
                assert block.value["sources"], module.slug
                assert all(key in sources for key in block.value["sources"]), module.slug
            else:
                assert not freshness.dated_claims_in(json.dumps(block.block.get_prep_value(block.value))), (
                    f"{module.slug}: a dated claim outside a fact block"
                )


def test_no_module_links_a_home_page_or_a_section_page():
    section_pages = {"https://www.economie.gouv.fr/dgccrf", "https://support.google.com/business/"}
    for module in ModulePage.objects.live():
        for block in module.body:
            if block.block_type == "resource":
                url = block.value["url"]
                assert freshness.is_acceptable_resource(url) and url not in section_pages, f"{module.slug}: {url}"


def test_the_abolished_trade_register_is_mentioned_nowhere():
    for module in ModulePage.objects.live():
        assert not freshness.mentions_abolished_register(module_text(module)), module.slug


def test_examples_are_labelled_and_no_testimonial_is_published():
    for module in ModulePage.objects.live():
        assert "testimonial" not in [block.block_type for block in module.body], module.slug


def test_no_copied_check_date_is_left_in_the_text():
    for module in ModulePage.objects.live():
        assert "26 novembre 2026" not in module_text(module), module.slug


def test_withdrawal_button_and_product_safety_are_stated_for_online_shops():
    shop = fact_text(ModulePage.objects.get(slug="creer-sa-boutique-en-ligne"))
    assert "19 juin 2026" in shop and "renoncer au contrat ici" in shop and "CGV" in shop
    assert "2023/988" in shop
    assert "2023/988" in fact_text(ModulePage.objects.get(slug="vendre-sur-une-marketplace"))
    collect = fact_text(ModulePage.objects.get(slug="lancer-le-click-and-collect"))
    assert "pas l'endroit où il paie" in collect


def test_cash_register_proof_includes_the_publishers_attestation_again():
    facts = fact_text(ModulePage.objects.get(slug="choisir-un-logiciel-de-caisse"))
    assert "attestation individuelle de l'éditeur" in facts and "loi de finances pour 2026" in facts


def test_training_names_the_artisans_fund_and_the_cpf_flat_participation():
    facts = fact_text(ModulePage.objects.get(slug="se-former-au-numerique"))
    assert "FAFCEA" in facts and "participation forfaitaire" in facts


ACRONYMS = {"CNIL", "RGPD", "DGCCRF", "CGV", "CPF", "RNE", "ANSSI", "ETI"}


def test_every_acronym_is_spelled_out_once_in_the_module():
    from cms.freshness import plain

    expansions = {
        "CNIL": "informatique et des libertés",
        "RGPD": "protection des données",
        "DGCCRF": "répression des fraudes",
        "CGV": "conditions générales de vente",
        "CPF": "compte personnel de formation",
        "RNE": "registre national des entreprises",
        "ANSSI": "sécurité des systèmes d'information",
        "ETI": "taille intermédiaire",
    }
    for module in ModulePage.objects.live():
        prose = [block["value"] for block in module.body.raw_data if block["type"] != "resource"]
        text = plain(json.dumps([module.title, module.summary, module.en_bref_lines(), prose], ensure_ascii=False))
        for acronym in ACRONYMS:
            if re.search(rf"\b{acronym}\b", text):
                assert expansions[acronym].lower() in text.lower(), f"{module.slug}: {acronym}"


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
