"""The starter catalogue loads whole, loads twice without change, and never loses editors' work."""

import shutil
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command
from wagtail.models import Revision

from cms.content_loading import load_catalogue
from cms.models import Capability, DiagnosticQuestion, ModulePage, Theme, ThemePage
from tests.conftest import CONTENT_ROOT
from tests.factories import module_like

# sqlite: make run loads the catalogue into its embedded SQLite database
pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def counts():
    return {
        "modules": ModulePage.objects.count(),
        "revisions": Revision.objects.count(),
        "capabilities": Capability.objects.count(),
        "questions": DiagnosticQuestion.objects.count(),
    }


@pytest.fixture
def fixtures_copy(tmp_path) -> Path:
    root = tmp_path / "content_fixtures"
    shutil.copytree(CONTENT_ROOT, root)
    return root


def edit_yaml(path: Path, **changes):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_the_whole_catalogue_is_published_under_its_themes():
    files = sorted(CONTENT_ROOT.glob("modules/*/*.yaml"))
    modules = ModulePage.objects.live().select_related("theme")
    assert len(files) >= 40
    assert modules.count() == len(files)
    for module in modules:
        assert module.get_parent().specific.theme == module.theme
        assert sum(1 for block in module.body if block.block_type == "step") >= 3
        assert module.capabilities_built.exists() and module.goals.exists()
    themes_with_modules = set(modules.values_list("theme__slug", flat=True))
    assert themes_with_modules == set(Theme.objects.values_list("slug", flat=True))
    assert ThemePage.objects.live().count() == Theme.objects.count()
    assert DiagnosticQuestion.objects.count() >= 12


def test_loading_twice_changes_nothing():
    before = counts()
    report = load_catalogue(root=CONTENT_ROOT)
    assert not report.changed
    assert counts() == before


def test_an_edited_file_becomes_a_new_revision_of_its_page(fixtures_copy):
    path = fixtures_copy / "modules" / "etre-visible" / "creer-sa-fiche-google.yaml"
    edit_yaml(path, title="Créer et soigner sa fiche Google")
    page = ModulePage.objects.get(slug="creer-sa-fiche-google")
    revisions_before = page.revisions.count()

    report = load_catalogue(root=fixtures_copy)

    page.refresh_from_db()
    assert report.updated == ["module:creer-sa-fiche-google"]
    assert page.title == "Créer et soigner sa fiche Google"
    assert page.revisions.count() == revisions_before + 1
    assert page.live and not page.has_unpublished_changes


def test_a_malformed_file_is_refused_naming_file_and_field_and_nothing_is_written(fixtures_copy):
    edit_yaml(fixtures_copy / "modules" / "etre-visible" / "creer-sa-fiche-google.yaml", title="Nouveau titre")
    broken = fixtures_copy / "modules" / "se-proteger" / "sauvegarder-ses-donnees.yaml"
    edit_yaml(broken, goals=["devenir-riche"])
    before = counts()

    with pytest.raises(CommandError) as error:
        call_command("load_content", str(fixtures_copy), "--no-progress")

    message = str(error.value)
    assert "sauvegarder-ses-donnees.yaml" in message
    assert "field 'goals'" in message and "devenir-riche" in message
    assert counts() == before
    assert ModulePage.objects.get(slug="creer-sa-fiche-google").title != "Nouveau titre"


def test_invalid_yaml_is_reported_with_its_line(fixtures_copy):
    broken = fixtures_copy / "modules" / "etre-visible" / "creer-sa-fiche-google.yaml"
    broken.write_text("slug: creer-sa-fiche-google\ntitle: [unclosed\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"creer-sa-fiche-google.yaml: field 'line \d+': invalid YAML"):
        call_command("load_content", str(fixtures_copy), "--no-progress")


def test_a_module_edited_in_the_admin_is_not_overwritten(fixtures_copy, django_user_model):
    editor = django_user_model.objects.create_user("edith", password="x" * 12, is_staff=True)
    page = ModulePage.objects.get(slug="creer-sa-fiche-google").get_latest_revision_as_object()
    page.summary = "Résumé réécrit par l'équipe éditoriale."
    page.save_revision(user=editor).publish()
    edit_yaml(fixtures_copy / "modules" / "etre-visible" / "creer-sa-fiche-google.yaml", title="Titre du fichier")

    report = load_catalogue(root=fixtures_copy)

    page.refresh_from_db()
    assert page.summary == "Résumé réécrit par l'équipe éditoriale."
    assert page.title != "Titre du fichier"
    assert any(item.startswith("module:creer-sa-fiche-google") for item in report.skipped)

    load_catalogue(root=fixtures_copy, overwrite_edited=True)
    page.refresh_from_db()
    assert page.title == "Titre du fichier"


def test_pages_and_terms_created_by_editors_are_left_alone(fixtures_copy):
    module_like("creer-sa-fiche-google", slug="module-maison", title="Module maison", summary="Écrit dans l'admin.")
    Capability.objects.filter(slug="site-vitrine").update(name="Site internet (renommé)")

    report = load_catalogue(root=fixtures_copy)

    assert ModulePage.objects.filter(slug="module-maison").exists()
    assert Capability.objects.get(slug="site-vitrine").name == "Site internet (renommé)"
    assert not report.changed


def test_rich_text_with_scripts_or_styles_is_refused(fixtures_copy):
    path = fixtures_copy / "modules" / "se-proteger" / "rgpd-les-bases.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["body"][0] = {"text": '<p onclick="steal()" style="color:red">Bonjour</p>'}
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(CommandError, match=r"rgpd-les-bases.yaml: field 'body\[0\].text': attributes not allowed"):
        call_command("load_content", str(fixtures_copy), "--no-progress")
