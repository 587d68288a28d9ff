"""Dated and legal facts stay checkable: `load_content --check` refuses unsourced claims and warns on old
checks; the admin report « À revérifier » lists what is due and records who re-checked it, and when."""

import shutil
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.urls import reverse

from cms import freshness
from cms.models import ModulePage, SourceCheck
from tests.conftest import CONTENT_ROOT

pytestmark = pytest.mark.django_db
RECEIVE = "encaisser-gerer/facturation-electronique-recevoir.yaml"


@pytest.fixture
def fixtures_copy(tmp_path) -> Path:
    root = tmp_path / "content_fixtures"
    shutil.copytree(CONTENT_ROOT, root)
    return root


def rewrite(path: Path, change):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def check(root: Path) -> str:
    out = StringIO()
    call_command("load_content", str(root), "--check", stdout=out)
    return out.getvalue()


def refused(root: Path) -> str:
    with pytest.raises(CommandError) as error:
        check(root)
    return str(error.value)


def test_the_starter_catalogue_passes_the_check_without_warnings():
    output = check(CONTENT_ROOT)
    assert "no problem." in output and "warning" not in output


def test_a_fact_without_a_source_fails_the_check_naming_file_and_field(fixtures_copy):
    def drop_sources(data):
        data["body"][0]["fact"]["sources"] = []

    rewrite(fixtures_copy / "modules" / RECEIVE, drop_sources)
    message = refused(fixtures_copy)
    assert "facturation-electronique-recevoir.yaml: field 'body[0].fact.sources'" in message


def test_a_source_without_a_check_date_fails_the_check(fixtures_copy):
    rewrite(fixtures_copy / "modules" / RECEIVE, lambda data: data["sources"][0].pop("checked_on"))
    message = refused(fixtures_copy)
    assert "field 'sources[0].checked_on'" in message and "has no check date" in message


def test_a_dated_claim_outside_a_fact_block_fails_the_check(fixtures_copy):
    def add_claim(data):
        data["body"].insert(1, {"tip": "<p>Depuis le 1er janvier 2027, une nouvelle amende s'applique.</p>"})

    rewrite(fixtures_copy / "modules" / RECEIVE, add_claim)
    message = refused(fixtures_copy)
    assert "field 'body[1].tip'" in message and "1er janvier 2027" in message


def test_a_home_page_as_source_fails_the_check(fixtures_copy):
    def home(data):
        data["sources"][0]["url"] = "https://www.impots.gouv.fr/"

    rewrite(fixtures_copy / "modules" / RECEIVE, home)
    assert "is a home page" in refused(fixtures_copy)


def test_en_bref_needs_exactly_three_lines(fixtures_copy):
    rewrite(fixtures_copy / "modules" / RECEIVE, lambda data: data["en_bref"].pop())
    assert "field 'en_bref': expected a list of exactly 3 short lines" in refused(fixtures_copy)


def test_the_abolished_register_and_invented_testimonials_are_refused(fixtures_copy):
    def regress(data):
        data["body"].append({"text": "<p>Joignez votre extrait RM.</p>"})
        data["body"].append({"testimonial": {"quote": "Super !", "author": "Samia"}})

    rewrite(fixtures_copy / "modules" / RECEIVE, regress)
    message = refused(fixtures_copy)
    assert "répertoire des métiers (RM)" in message
    assert "invented testimonials are not published" in message


def test_a_check_older_than_six_months_warns_but_loads(fixtures_copy):
    def old(data):
        data["sources"][1]["checked_on"] = date(2026, 5, 1)

    rewrite(fixtures_copy / "modules" / RECEIVE, old)
    output = check(fixtures_copy)
    assert "facturation-electronique-recevoir.yaml: field 'sources[1].checked_on'" in output
    assert "checked on 2026-05-01, more than 6 months ago" in output
    assert "1 warning(s)" in output


def test_recheck_threshold_is_six_calendar_months():
    assert freshness.recheck_threshold(date(2026, 11, 30)) == date(2026, 5, 30)
    assert freshness.recheck_threshold(date(2026, 8, 31)) == date(2026, 2, 28)
    assert freshness.is_due(date(2026, 5, 29), date(2026, 11, 30))
    assert not freshness.is_due(date(2026, 5, 30), date(2026, 11, 30))


def age_first_source(slug: str, checked_on: date) -> ModulePage:
    page = ModulePage.objects.get(slug=slug)
    draft = page.get_latest_revision_as_object()
    sources = list(draft.sources.all())
    sources[0].checked_on = checked_on
    draft.sources = sources
    draft.save_revision().publish()
    return ModulePage.objects.get(pk=page.pk)


def test_the_recheck_report_lists_due_sources_and_records_who_rechecked(client, django_user_model, api_client):
    editor = django_user_model.objects.create_superuser("relectrice", "relectrice@exemple.invalid", "x")
    client.force_login(editor)
    page = age_first_source("facturation-electronique-recevoir", date(2026, 1, 15))

    report = client.get(reverse("cms_checks_due"))
    assert report.status_code == 200
    html = report.content.decode()
    assert "Recevoir ses factures électroniques" in html and "vérifiée il y a plus de 6 mois" in html
    assert "Marquer comme revérifiée" in html

    response = client.post(reverse("cms_checks_due"), {"module": page.pk, "source": "dgfip-fe"})
    assert response.status_code == 302
    recorded = SourceCheck.objects.get(module=page)
    assert recorded.checked_by == editor and recorded.source_key == "dgfip-fe"
    assert recorded.checked_at.date() == date.today()

    after = client.get(reverse("cms_checks_due")).content.decode()
    assert "vérifiée il y a plus de 6 mois" not in after.split("Dernières revérifications")[0]
    detail = api_client.get(f"/api/v1/modules/{page.slug}/").json()
    checked = {s["key"]: s["checked_on"] for s in detail["sources"]}
    assert checked["dgfip-fe"] == date.today().isoformat()


def test_the_recheck_report_flags_a_fact_whose_source_was_removed(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("editeur2", "e2@exemple.invalid", "x"))
    page = ModulePage.objects.get(slug="choisir-un-logiciel-de-caisse")
    draft = page.get_latest_revision_as_object()
    draft.sources = []
    draft.save_revision()  # a draft: the report reads what editors will publish
    html = client.get(reverse("cms_checks_due")).content.decode()
    assert "information sans source" in html and "Choisir un logiciel de caisse" in html
