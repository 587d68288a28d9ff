"""Editors' "why" pages and report: staff only, previews logged and never counted as impressions, the report
in plain words, sorted, filtered by dates and exported as CSV."""

import numpy as np
import pytest
from wagtail.models import ModelLogEntry

from recommender.insights import classify
from recommender.models import Impression
from recommender.serving import RankingDetail

pytestmark = pytest.mark.django_db
REPORT = "/admin/reports/recommandations/"


@pytest.fixture
def editor(client, django_user_model):
    user = django_user_model.objects.create_superuser("edith@eleasud.fr", "edith@eleasud.fr", "Sardines-2026-ok")
    client.force_login(user)
    return user


def test_what_holds_a_module_back_is_named():
    # Scores: 0 > 1 > 2 > 3 > 4 > 5; items 0-2 share a theme (cap 2), 4 is dismissed, 5 is known.
    detail = RankingDetail(
        modules=list(range(7)),
        scores=np.array([6.0, 5, 4, 3, 2, 1, 0]),
        excluded=np.array([0, 0, 0, 0, 1, 0, 0], dtype=bool),
        dismissed=np.array([0, 0, 0, 0, 1, 0, 0], dtype=bool),
        known=np.array([0, 0, 0, 0, 0, 1, 0], dtype=bool),
        missing_prerequisites=np.array([0, 0, 0, 0, 0, 0, 1], dtype=bool),
        listed=[0, 1, 3, 6],
    )
    assert classify(detail, top=4) == ["shown", "shown", "theme_cap", "shown", "dismissed", "known", "shown"]
    detail = RankingDetail(**{**detail.__dict__, "listed": [0, 1, 3]})
    assert classify(detail, top=3)[6] == "prerequisites"


def test_the_preview_shows_the_ranking_is_logged_and_writes_no_impression(client, editor, make_merchant, trained_model):
    merchant = make_merchant(goals=("vendre-hors-horaires",))
    response = client.get(f"{REPORT}apercu/", {"commercant": merchant.profile.pk})
    page = response.content.decode()
    assert response.status_code == 200 and page.count("<strong>") >= 5
    assert Impression.objects.filter(merchant=merchant.profile).count() == 0
    entry = ModelLogEntry.objects.get(object_id=str(merchant.profile.pk), action="eleasud.recommendations_preview")
    assert entry.user_id == editor.pk
    assert "Aucun commerçant" in client.get(f"{REPORT}apercu/", {"commercant": "999999"}).content.decode()


def test_module_reach_counts_top_five_and_holdbacks(client, editor, make_merchant, trained_model):
    make_merchant()
    page = client.get(f"{REPORT}pourquoi/").content.decode()
    assert "Dans les 5 premiers" in page and "limite de deux modules par thème" in page.lower()


def test_the_report_is_sorted_filtered_and_exported(client, editor, make_merchant, trained_model):
    merchant = make_merchant()
    shown = merchant.recommendations(limit=3).json()
    page = client.get(REPORT, {"tri": "titre", "ordre": "asc"}).content.decode()
    assert "NDCG" not in page and "warm" not in page and "cold" not in page
    assert 'aria-sort="ascending"' in page
    csv_response = client.get(REPORT, {"format": "csv", "tri": "affichages", "ordre": "desc"})
    assert csv_response["Content-Type"].startswith("text/csv")
    lines = csv_response.content.decode().splitlines()
    assert lines[0].startswith("Module;Thème;Recommandé")
    first_title = shown["results"][0]["module"]["title"]
    assert any(line.startswith(first_title + ";") and ";1;" in line for line in lines[1:4])
    old = client.get(REPORT, {"du": "2020-01-01", "au": "2020-01-31", "format": "csv"}).content.decode().splitlines()
    assert all(line.split(";")[2] == "0" for line in old[1:])


def test_merchants_and_anonymous_cannot_reach_the_why_pages(client, make_merchant):
    merchant = make_merchant()
    for path in ("pourquoi/", "apercu/"):
        assert client.get(f"{REPORT}{path}").status_code in (302, 403)
    client.force_login(merchant.profile.user)
    for path in ("pourquoi/", "apercu/"):
        response = client.get(f"{REPORT}{path}", {"commercant": merchant.profile.pk})
        assert response.status_code in (302, 403)
    assert not ModelLogEntry.objects.filter(action="eleasud.recommendations_preview").exists()
