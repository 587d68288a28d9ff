"""Profiles and modules become feature rows over a fixed vocabulary."""

import numpy as np

from recommender.engine.features import (
    MerchantFeaturizer,
    ModuleFeaturizer,
    Taxonomy,
    domain_interactions,
    feature_labels,
)

TAXONOMY = Taxonomy(
    themes=("etre-visible", "vendre-en-ligne"),
    sectors=("restauration", "alimentaire"),
    goals=("etre-trouve", "vendre-hors-horaires"),
    capabilities=("site-vitrine", "click-collect"),
    names={"goals": {"etre-trouve": "Être trouvé par de nouveaux clients"}},
)


def test_merchant_row_encodes_profile_and_ignores_unknown_slugs():
    fz = MerchantFeaturizer().fit(TAXONOMY)
    row = fz.transform(
        [
            {
                "sector": "restauration",
                "capabilities": ["site-vitrine", "drone"],
                "goals": ["etre-trouve", "new-goal"],
                "maturity": {"etre-visible": 0.8},
            }
        ]
    )[0]
    on = {n for n, v in zip(fz.feature_names_, row, strict=False) if v == 1}
    assert {"sector=restauration", "has=site-vitrine", "lacks=click-collect", "goal=etre-trouve"} <= on
    assert "lacks=site-vitrine" not in on and not any("drone" in n or "new-goal" in n for n in fz.feature_names_)
    assert row[fz.vocabulary_["maturity=etre-visible"]] == 0.8
    assert row[fz.vocabulary_["maturity=vendre-en-ligne"]] == 0.5  # unanswered: the middle, not "beginner"


def test_module_without_sectors_is_for_all_sectors_not_for_each():
    fz = ModuleFeaturizer().fit(TAXONOMY)
    generic, targeted = fz.transform(
        [
            {
                "theme": "vendre-en-ligne",
                "sectors": [],
                "goals": ["vendre-hors-horaires"],
                "capabilities_built": ["click-collect"],
                "capabilities_required": ["site-vitrine"],
                "level": "debutant",
                "cost_band": "gratuit",
                "estimated_minutes": 45,
            },
            {
                "theme": "etre-visible",
                "sectors": ["restauration"],
                "goals": ["etre-trouve"],
                "capabilities_built": ["site-vitrine"],
            },
        ]
    )
    assert generic[fz.vocabulary_["all_sectors"]] == 1 and generic[fz.columns("sector")].sum() == 0
    assert targeted[fz.vocabulary_["sector=restauration"]] == 1 and targeted[fz.vocabulary_["all_sectors"]] == 0
    assert (
        generic[fz.vocabulary_["requires=site-vitrine"]] == 1 and generic[fz.vocabulary_["builds=click-collect"]] == 1
    )
    assert 0 < generic[fz.vocabulary_["duration"]] < 1


def test_domain_interactions_pair_same_slugs_and_labels_are_french():
    m, i = MerchantFeaturizer().fit(TAXONOMY), ModuleFeaturizer().fit(TAXONOMY)
    pairs = {(m.feature_names_[a], i.feature_names_[b]) for a, b in domain_interactions(m, i)}
    assert ("goal=etre-trouve", "goal=etre-trouve") in pairs
    assert ("goal=etre-trouve", "goal=vendre-hors-horaires") not in pairs
    assert ("lacks=click-collect", "builds=click-collect") in pairs
    assert feature_labels(TAXONOMY, m, i)["goal=etre-trouve"] == "Être trouvé par de nouveaux clients"


def test_columns_are_stable_across_transforms():
    fz = MerchantFeaturizer().fit(TAXONOMY)
    a = fz.transform([{"sector": "alimentaire"}])
    b = fz.transform([{"sector": "alimentaire", "goals": ["unknown"]}])
    np.testing.assert_array_equal(a, b)
