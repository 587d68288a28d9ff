"""Test data builders for what the starter catalogue does not already hold."""

from cms.models import ModulePage, ThemePage


def module_like(
    template_slug: str, *, slug: str, title: str, summary: str, theme_slug: str | None = None, publish: bool = False
) -> ModulePage:
    """A new module page (as an editor would create it in the admin) with the metadata and body of an
    existing one, filed under `theme_slug` (the template's theme by default)."""
    template = ModulePage.objects.get(slug=template_slug).get_latest_revision_as_object()
    theme_page = ThemePage.objects.get(slug=theme_slug or template.theme.slug)
    module = ModulePage(
        title=title,
        slug=slug,
        summary=summary,
        body=template.body.raw_data,
        estimated_minutes=template.estimated_minutes,
        level=template.level,
        theme=theme_page.theme,
    )
    module.goals = list(template.goals.all())
    module.capabilities_built = list(template.capabilities_built.all())
    theme_page.add_child(instance=module)
    if publish:
        module.save_revision().publish()
    return module
