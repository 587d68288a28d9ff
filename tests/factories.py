"""Test data builders for what the starter catalogue does not already hold."""

import factory
from django.contrib.auth import get_user_model

from cms.models import ModulePage, Theme, ThemePage
from missions.models import School, SchoolReferent, StudentHelper


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


# --- Missions ------------------------------------------------------------------------------------

MEMBER_PASSWORD = "Calanques-de-Sormiou-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"personne{n}@exemple.fr")
    email = factory.SelfAttribute("username")
    password = factory.PostGenerationMethodCall("set_password", MEMBER_PASSWORD)

    @factory.post_generation
    def saved(self, create, extracted, **kwargs):
        if create:
            self.save()


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Lycée professionnel n° {n}")
    kind = School.Kind.VOCATIONAL
    postcode = "13003"


class StudentFactory(factory.django.DjangoModelFactory):
    """A student with an account (pass `user=None` for a record without one) and the given theme slugs."""

    class Meta:
        model = StudentHelper
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    first_name = factory.Sequence(lambda n: f"Yasmine{n}")
    last_name = "Benali"
    school = factory.SubFactory(SchoolFactory)
    availability = "Le mercredi après-midi"

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set(Theme.objects.filter(slug__in=extracted))


class ReferentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolReferent

    user = factory.SubFactory(UserFactory)
    school = factory.SubFactory(SchoolFactory)
    display_name = "Mme Durand"
