"""What a merchant reads in the API's reasons is true of them and of the module (the cases seen on the
reference client: goals the module does not serve, a level before any diagnostic, what they already know)."""

import pytest

from cms.models import Capability, Goal, ModulePage, Sector
from tests.recommender.conftest import RECOMMENDATIONS

pytestmark = pytest.mark.django_db

PROFILES = [
    dict(sector="restauration", goals=("vendre-hors-horaires",), capabilities=("double-authentification", "rgpd-base")),
    dict(sector="alimentaire", goals=("etre-trouve", "gagner-du-temps"), capabilities=("page-facebook",)),
    dict(sector="hotellerie", goals=("se-proteger-des-risques",), capabilities=()),
    # Knows almost everything: most modules teach only what they have.
    dict(sector="artisanat-batiment", goals=("gagner-du-temps",), capabilities="all but security"),
]


@pytest.mark.parametrize("profile", PROFILES)
def test_every_reason_in_the_api_is_a_fact(make_merchant, trained_model, no_exploration, profile):
    if profile["capabilities"] == "all but security":
        held = Capability.objects.exclude(theme__slug="se-proteger").values_list("slug", flat=True)
        profile = {**profile, "capabilities": tuple(held)}
    merchant = make_merchant(**profile)
    results = merchant.client.get(RECOMMENDATIONS, {"limit": 20}).json()["results"]
    goal_names = {g.name: g.slug for g in Goal.objects.all()}
    sector_names = {s.name: s.slug for s in Sector.objects.all()}
    said_goal = False
    for result in results:
        module = ModulePage.objects.get(slug=result["module"]["slug"])
        module_goals = set(module.goals.values_list("slug", flat=True))
        module_sectors = set(module.target_sectors.values_list("slug", flat=True))
        built = set(module.capabilities_built.values_list("slug", flat=True))
        for reason in result["reasons"]:
            text = reason["text"]
            assert not text.startswith("À votre niveau"), "no diagnostic was taken"
            if text.startswith("Correspond à votre objectif"):
                name = text.split("« ", 1)[1].rstrip(" »")
                assert goal_names[name] in profile["goals"] and goal_names[name] in module_goals, (module.slug, text)
                said_goal = True
            if text.startswith("Conçu pour votre secteur"):
                slug = sector_names[text.split(" : ", 1)[1]]
                assert slug == profile["sector"] and slug in module_sectors, (module.slug, text)
            if reason["code"] == "known":
                assert built and built <= set(profile["capabilities"])
        # A module teaching only what the merchant has is listed after every other one, and says so.
        if built and built <= set(profile["capabilities"]):
            assert result["reasons"][0]["code"] == "known"
            assert all(r["reasons"][0]["code"] == "known" for r in results[results.index(result) :]), (
                "a known module comes after every other candidate"
            )
    assert said_goal or any(r["reasons"][0]["code"] == "known" for r in results)
