"""A module's theme never contradicts the theme page it is filed under: the edit form refuses it with a
French message, and moving a module under another theme page gives it that page's theme."""

import pytest
from django.urls import reverse

from cms.models import ModulePage, Theme, ThemePage

pytestmark = pytest.mark.django_db


def edit_form(page, parent, user, **data):
    """The admin's edit form bound to a minimal submission: other fields may be invalid, `theme` is what we read."""
    form_class = ModulePage.get_edit_handler().get_form_class()
    empty_streams = {"en_bref-count": "0", "body-count": "0"}
    empty_inlines = {
        f"{name}-{key}": value
        for name in ("related_links", "sources")
        for key, value in (
            ("TOTAL_FORMS", "0"),
            ("INITIAL_FORMS", "0"),
            ("MIN_NUM_FORMS", "0"),
            ("MAX_NUM_FORMS", "1000"),
        )
    }
    return form_class(data={**empty_streams, **empty_inlines, **data}, instance=page, parent_page=parent, for_user=user)


def test_the_edit_form_refuses_a_theme_other_than_its_theme_page(django_user_model):
    editor = django_user_model.objects.create_superuser("ed-theme", "t@exemple.invalid", "x")
    page = ModulePage.objects.get(slug="lancer-le-click-and-collect")
    parent = page.get_parent().specific
    protect = Theme.objects.get(slug="se-proteger")

    form = edit_form(page, parent, editor, title=page.title, slug=page.slug, theme=protect.pk)
    form.is_valid()
    assert form.errors["theme"] == [
        "Ce module est rangé sous la page « Vendre en ligne » mais son thème est « Se protéger ». "
        "Choisissez le thème « Vendre en ligne », ou déplacez le module sous la page du thème « Se protéger »."
    ]

    same = edit_form(page, parent, editor, title=page.title, slug=page.slug, theme=parent.theme_id)
    same.is_valid()
    assert "theme" not in same.errors


def test_moving_a_module_under_another_theme_page_changes_its_theme(client, django_user_model, api_client):
    client.force_login(django_user_model.objects.create_superuser("ed-move", "m@exemple.invalid", "x"))
    page = ModulePage.objects.get(slug="securiser-son-wifi-client")
    target = ThemePage.objects.get(theme__slug="encaisser-gerer")

    response = client.post(reverse("wagtailadmin_pages:move_confirm", args=(page.pk, target.pk)))
    assert response.status_code == 302

    moved = ModulePage.objects.get(pk=page.pk)
    assert moved.get_parent().pk == target.pk
    assert moved.theme.slug == "encaisser-gerer"
    assert moved.get_latest_revision_as_object().theme.slug == "encaisser-gerer"
    assert api_client.get(f"/api/v1/modules/{page.slug}/").json()["theme"]["slug"] == "encaisser-gerer"
