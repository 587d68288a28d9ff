"""The self-diagnostic: the scoring rules as a pure function, then the questionnaire and results over HTTP."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cms.models import DiagnosticQuestionnaire
from merchants.models import DiagnosticResult
from merchants.scoring import Answer, Band, InvalidAnswers, Question, score_diagnostic

BANDS = [Band("debutant", "Débutant", 0), Band("en-progression", "En progression", 35), Band("avance", "Avancé", 65)]
QUESTIONS = [
    Question("fiche", "visible", "single", (Answer("oui", 100, ("fiche",)), Answer("non", 0))),
    Question(
        "reseaux",
        "visible",
        "multiple",
        (Answer("facebook", 60, ("facebook",)), Answer("instagram", 60, ("insta",)), Answer("aucun", 0)),
    ),
    Question("paiement", "encaisser", "single", (Answer("carte", 50, ("cb",)), Answer("especes", 0))),
]


# --- Pure scoring ------------------------------------------------------------------------------


def test_theme_score_is_the_mean_of_its_questions_and_overall_the_mean_of_themes():
    score = score_diagnostic(QUESTIONS, BANDS, {"fiche": ["oui"], "reseaux": ["facebook"], "paiement": ["especes"]})
    assert score.theme_scores == {"visible": 80, "encaisser": 0}  # (100 + 60) / 2, 0
    assert score.overall_score == 40 and score.band.slug == "en-progression"
    assert score.capabilities == ("fiche", "facebook")


def test_a_multiple_choice_question_sums_its_answers_capped_at_100():
    score = score_diagnostic(
        QUESTIONS, BANDS, {"fiche": ["non"], "reseaux": ["facebook", "instagram"], "paiement": ["carte"]}
    )
    assert score.theme_scores == {"visible": 50, "encaisser": 50}  # reseaux = min(120, 100)
    assert score.overall_score == 50


def test_a_zero_score_answer_ticked_with_others_is_neutral():
    alone = score_diagnostic(QUESTIONS, BANDS, {"fiche": ["non"], "reseaux": ["facebook"], "paiement": ["carte"]})
    with_none = score_diagnostic(
        QUESTIONS, BANDS, {"fiche": ["non"], "reseaux": ["facebook", "aucun"], "paiement": ["carte"]}
    )
    assert alone == with_none


def test_scores_round_half_up_and_the_band_is_the_highest_reached():
    questions = [
        Question("a", "t1", "single", (Answer("x", 65), Answer("y", 64))),
        Question("b", "t2", "single", (Answer("x", 65), Answer("y", 64))),
    ]
    assert score_diagnostic(questions, BANDS, {"a": ["x"], "b": ["y"]}).overall_score == 65  # 64.5 → 65
    assert score_diagnostic(questions, BANDS, {"a": ["x"], "b": ["y"]}).band.slug == "avance"
    assert score_diagnostic(questions, BANDS, {"a": ["y"], "b": ["y"]}).band.slug == "en-progression"


def test_every_problem_with_the_answers_is_named_by_question():
    with pytest.raises(InvalidAnswers) as raised:
        score_diagnostic(QUESTIONS, BANDS, {"fiche": ["oui", "non"], "reseaux": ["tiktok"], "meteo": ["soleil"]})
    errors = raised.value.errors
    assert set(errors) == {"answers.fiche", "answers.reseaux", "answers.paiement", "answers.meteo"}
    assert "tiktok" in errors["answers.reseaux"][0] and "facebook" in errors["answers.reseaux"][0]


@given(st.lists(st.sampled_from(["facebook", "instagram", "aucun"]), min_size=1, unique=True), st.booleans())
def test_scores_stay_between_0_and_100_and_more_answers_never_lower_them(network_answers, has_fiche):
    answers = {"fiche": ["oui" if has_fiche else "non"], "reseaux": network_answers, "paiement": ["carte"]}
    score = score_diagnostic(QUESTIONS, BANDS, answers)
    assert all(0 <= value <= 100 for value in score.theme_scores.values())
    assert 0 <= score.overall_score <= 100
    more = score_diagnostic(QUESTIONS, BANDS, {**answers, "reseaux": ["facebook", "instagram", "aucun"]})
    assert more.overall_score >= score.overall_score


# --- Over HTTP ---------------------------------------------------------------------------------

DIAGNOSTIC, MINE = "/api/v1/diagnostic/", "/api/v1/me/diagnostic/"


def lowest_answers(questionnaire):
    """For each question, the answer with the lowest score (the "non"/"aucun" one)."""
    return {q["slug"]: [q["answers"][-1]["slug"]] for q in questionnaire["questions"]}


@pytest.mark.django_db
def test_the_questionnaire_is_served_as_content_without_scores(api_client):
    response = api_client.get(DIAGNOSTIC)
    assert response.status_code == 200
    body = response.json()
    questionnaire = DiagnosticQuestionnaire.objects.get()
    assert body["slug"] == questionnaire.slug and len(body["questions"]) == questionnaire.questions.count()
    assert [band["slug"] for band in body["bands"]] == ["debutant", "en-progression", "avance", "expert"]
    question = body["questions"][0]
    assert set(question) == {"slug", "theme", "text", "help_text", "kind", "scored", "excluded_sectors", "answers"}
    assert set(question["answers"][0]) == {"slug", "label", "exclusive"}
    assert "ETag" in response
    assert api_client.get(DIAGNOSTIC, {"questionnaire": "inconnu"}).status_code == 404


@pytest.mark.django_db
def test_posting_answers_scores_them_keeps_history_and_adds_capabilities(api_client, merchant):
    questionnaire = api_client.get(DIAGNOSTIC).json()
    merchant.client.patch("/api/v1/me/profile/", {"capabilities": ["sauvegardes"]}, format="json")

    answers = lowest_answers(questionnaire)
    answers["fiche-etablissement"] = ["oui-a-jour"]  # 100
    answers["site-et-adresse"] = ["site-internet", "email-pro"]  # 70
    first = merchant.client.post(MINE, {"answers": answers}, format="json")
    assert first.status_code == 201, first.json()
    result = first.json()
    assert result["theme_scores"]["etre-visible"] == 57  # (100 + 70 + 0) / 3 = 56.67
    assert result["theme_scores"]["se-proteger"] == 0
    assert set(result["theme_scores"]) == {q["theme"] for q in questionnaire["questions"]}
    assert result["overall_score"] == 9  # (56.67 + 0 × 5) / 6 themes = 9.44
    assert result["band"] == {"slug": "debutant", "label": "Débutant"}
    assert set(result["capabilities_detected"]) == {"fiche-etablissement", "site-vitrine", "email-pro"}
    profile_caps = set(merchant.client.get("/api/v1/me/profile/").json()["capabilities"])
    assert profile_caps == {"sauvegardes", "fiche-etablissement", "site-vitrine", "email-pro"}

    best = {q["slug"]: [q["answers"][0]["slug"]] for q in questionnaire["questions"]}
    second = merchant.client.post(MINE, {"answers": best}, format="json").json()
    assert second["overall_score"] > result["overall_score"] and second["band"]["slug"] in {"avance", "expert"}

    history = merchant.client.get(MINE).json()
    assert history["count"] == 2 == DiagnosticResult.objects.filter(merchant=merchant.profile).count()
    assert [item["id"] for item in history["results"]] == [second["id"], result["id"]]
    progress = merchant.client.get("/api/v1/me/progress/").json()
    assert progress["last_diagnostic"]["overall_score"] == second["overall_score"]


@pytest.mark.django_db
def test_missing_and_unknown_answers_are_a_400_naming_each_question(api_client, merchant):
    answers = lowest_answers(api_client.get(DIAGNOSTIC).json())
    del answers["rgpd"], answers["formation"]
    answers["fiche-etablissement"] = ["peut-etre"]
    answers["horoscope"] = ["belier"]
    response = merchant.client.post(MINE, {"answers": answers}, format="json")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"answers.rgpd", "answers.formation", "answers.fiche-etablissement", "answers.horoscope"}
    assert "peut-etre" in fields["answers.fiche-etablissement"][0]
    assert not DiagnosticResult.objects.exists()


@pytest.mark.django_db
def test_two_answers_to_a_single_choice_question_are_refused(api_client, merchant):
    answers = lowest_answers(api_client.get(DIAGNOSTIC).json())
    answers["fiche-etablissement"] = ["oui-a-jour", "non"]
    response = merchant.client.post(MINE, {"answers": answers}, format="json")
    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == ["answers.fiche-etablissement"]


@pytest.mark.django_db
@pytest.mark.parametrize("body", [{}, {"answers": "oui"}, {"answers": {"rgpd": "en-partie"}}])
def test_a_malformed_diagnostic_body_is_a_400(merchant, body):
    response = merchant.client.post(MINE, body, format="json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid"


@pytest.mark.django_db
def test_an_unknown_questionnaire_is_a_404(api_client, merchant):
    answers = lowest_answers(api_client.get(DIAGNOSTIC).json())
    response = merchant.client.post(MINE, {"questionnaire": "autre", "answers": answers}, format="json")
    assert response.status_code == 404
