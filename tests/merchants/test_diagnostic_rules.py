"""The sharper diagnostic, through the API: legal obligations as warnings whatever the band (and stored with
the result), contradictory answers refused naming the questions, sector-aware scores, rule-deciding questions
that add no points, and no maturity points for wishing."""

import pytest

from merchants.models import DiagnosticResult

pytestmark = pytest.mark.django_db
DIAGNOSTIC, MINE = "/api/v1/diagnostic/", "/api/v1/me/diagnostic/"


@pytest.fixture
def questionnaire(api_client):
    return api_client.get(DIAGNOSTIC).json()


def best(questionnaire, **overrides):
    """The first (best) answer everywhere, then the given ones (question slugs with "_" for "-")."""
    answers = {q["slug"]: [q["answers"][0]["slug"]] for q in questionnaire["questions"]}
    answers.update({slug.replace("_", "-"): value for slug, value in overrides.items()})
    return answers


def post(merchant, answers, **extra):
    return merchant.client.post(MINE, {"answers": answers, **extra}, format="json")


def test_receiving_e_invoices_is_a_warning_whatever_the_band_and_is_stored(merchant, questionnaire):
    response = post(merchant, best(questionnaire, facturation_electronique=["rien"], tva=["oui"]))
    assert response.status_code == 201, response.json()
    result = response.json()
    assert result["band"]["slug"] in {"avance", "expert"}  # a high band, and still the obligation
    warnings = {w["slug"]: w for w in result["warnings"]}
    assert set(warnings) == {"facturation-electronique-reception"}
    assert warnings["facturation-electronique-reception"]["module"] == "facturation-electronique-recevoir"
    assert "500 €" in warnings["facturation-electronique-reception"]["message"]
    stored = DiagnosticResult.objects.get(pk=result["id"])
    assert [w["slug"] for w in stored.warnings] == ["facturation-electronique-reception"]
    assert merchant.client.get(MINE).json()["results"][0]["warnings"] == result["warnings"]
    export = merchant.client.get("/api/v1/me/export/").json()
    assert export["diagnostics"][0]["warnings"][0]["slug"] == "facturation-electronique-reception"


def test_a_merchant_with_a_platform_gets_no_reception_warning(merchant, questionnaire):
    result = post(merchant, best(questionnaire, tva=["oui"])).json()
    assert result["warnings"] == []


def test_an_unverified_register_is_not_a_compliant_register(merchant, questionnaire):
    answers = best(questionnaire, tva=["oui"], enregistrement_ventes=["caisse-non-verifiee"])
    result = post(merchant, answers).json()
    assert "logiciel-caisse" not in result["capabilities_detected"]
    assert [w["slug"] for w in result["warnings"]] == ["caisse-securisee"]
    franchise = post(merchant, {**answers, "tva": ["franchise"]}).json()
    assert franchise["warnings"] == []  # a business that charges no VAT is not bound by the rule


def test_selling_to_businesses_announces_the_issuing_deadline(merchant, questionnaire):
    answers = best(
        questionnaire, clients_professionnels=["plus-de-la-moitie"], facturation_electronique=["plateforme-reception"]
    )
    result = post(merchant, answers).json()
    assert [w["slug"] for w in result["warnings"]] == ["facturation-electronique-emission"]
    assert "1er septembre 2027" in result["warnings"][0]["message"]


def test_contactless_with_cash_only_is_refused_naming_the_question(merchant, questionnaire):
    answers = best(questionnaire, moyens_de_paiement=["carte-sans-contact", "especes-cheques"])
    response = post(merchant, answers)
    assert response.status_code == 400
    error = response.json()["error"]
    assert list(error["fields"]) == ["answers.moyens-de-paiement"]
    assert "Uniquement en espèces ou par chèque" in error["fields"]["answers.moyens-de-paiement"][0]
    assert not DiagnosticResult.objects.exists()


def test_answers_contradicting_each_other_across_questions_are_refused_naming_both(merchant, questionnaire):
    answers = best(questionnaire, vente_a_distance=["aucun"], part_ventes_en_ligne=["plus-de-20"])
    response = post(merchant, answers)
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"answers.vente-a-distance", "answers.part-ventes-en-ligne"}
    assert "venir sur place" in fields["answers.vente-a-distance"][0]


def test_a_plumber_is_not_penalised_for_not_selling_online(make_merchant, questionnaire):
    shop, plumber = make_merchant(), make_merchant()
    answers = best(questionnaire, vente_a_distance=["aucun"], part_ventes_en_ligne=["aucune"])
    as_shop = post(shop, answers, sector="non-alimentaire").json()
    assert as_shop["theme_scores"]["vendre-en-ligne"] == 33  # (100 + 0 + 0) / 3

    plumber_answers = {k: v for k, v in answers.items() if k not in {"vente-a-distance", "part-ventes-en-ligne"}}
    response = post(plumber, plumber_answers, sector="artisanat-batiment")
    assert response.status_code == 201, response.json()
    as_plumber = response.json()
    assert as_plumber["theme_scores"]["vendre-en-ligne"] == 100  # only the question that applies
    assert as_plumber["overall_score"] > as_shop["overall_score"]
    assert as_plumber["sector"] == "artisanat-batiment"
    assert "vente-a-distance" not in as_plumber["answers"]
    assert plumber.client.get("/api/v1/me/profile/").json()["sector"] == "artisanat-batiment"


def test_an_unknown_sector_is_a_400_naming_the_field(merchant, questionnaire):
    response = post(merchant, best(questionnaire), sector="astronautes")
    assert response.status_code == 400 and "sector" in response.json()["error"]["fields"]


def test_rule_deciding_questions_and_wishes_earn_no_points(make_merchant, questionnaire):
    a, b = make_merchant(), make_merchant()
    first = post(a, best(questionnaire, tva=["oui"], clients_professionnels=["aucune"], formation=["non"])).json()
    second = post(
        b,
        best(questionnaire, tva=["ne-sait-pas"], clients_professionnels=["ne-sait-pas"], formation=["non-mais-envie"]),
    ).json()
    assert first["theme_scores"] == second["theme_scores"]
    assert first["overall_score"] == second["overall_score"]


def test_the_questionnaire_says_which_questions_are_scored_exclusive_or_sector_specific(questionnaire):
    by_slug = {q["slug"]: q for q in questionnaire["questions"]}
    assert by_slug["tva"]["scored"] is False and by_slug["clients-professionnels"]["scored"] is False
    assert by_slug["facturation-electronique"]["scored"] is False
    assert by_slug["vente-a-distance"]["excluded_sectors"] == ["artisanat-batiment"]
    cash_only = next(a for a in by_slug["moyens-de-paiement"]["answers"] if a["slug"] == "especes-cheques")
    assert cash_only["exclusive"] is True
