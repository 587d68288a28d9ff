"""Demo data for the agency's observatory, added to the simulated demo merchants (`seed_demo_merchants`):
where the shops are (postcodes over Marseille's arrondissements and the metropolis), self-diagnostics taken
over the past year (so scores move over time), and help requests in every state. Deterministic for a seed."""

from datetime import timedelta

import numpy as np
from django.db import transaction
from django.utils import timezone

from cms.models import Theme
from merchants.models import DiagnosticResult, MerchantProfile

# Weights roughly follow where Marseille's shops are: the centre (1er, 6e) and the big southern and
# eastern arrondissements first; then the metropolis's main towns, a few outside it, a few unknown.
MARSEILLE = {
    "13001": 9, "13002": 4, "13003": 4, "13004": 5, "13005": 6, "13006": 9, "13007": 5, "13008": 9,
    "13009": 6, "13010": 5, "13011": 5, "13012": 6, "13013": 6, "13014": 4, "13015": 5, "13016": 2,
}  # fmt: skip
METROPOLIS = {
    "13100": 5, "13090": 2, "13400": 4, "13600": 3, "13500": 3, "13127": 2, "13300": 3, "13700": 2, "13800": 2,
    "13120": 2, "84120": 1,
}  # fmt: skip
ELSEWHERE = {"83000": 1, "30000": 1, "": 1}


def _postcodes(rng, n: int) -> list[str]:
    choices = {**MARSEILLE, **METROPOLIS, **ELSEWHERE}
    codes = list(choices)
    weights = np.array([choices[c] for c in codes], dtype=float)
    return [codes[i] for i in rng.choice(len(codes), size=n, p=weights / weights.sum())]


@transaction.atomic
def spread_demo_merchants(*, profiles: list[MerchantProfile], seed: int) -> None:
    rng = np.random.default_rng(seed + 12)
    now = timezone.now()
    postcodes = _postcodes(rng, len(profiles))
    for profile, postcode in zip(profiles, postcodes, strict=True):
        profile.postcode = postcode
    MerchantProfile.objects.bulk_update(profiles, ["postcode"], batch_size=1000)

    # Earlier self-diagnostics: most merchants took one to three before today's, with lower scores.
    latest = {
        d.merchant_id: d
        for d in DiagnosticResult.objects.filter(merchant__in=profiles)
        .select_related("questionnaire")
        .order_by("created_at")
    }
    questionnaire = next((d.questionnaire for d in latest.values() if d.questionnaire), None)
    rules = {rule["slug"]: rule for rule in (questionnaire.warning_rules if questionnaire else []) if "slug" in rule}
    bands = sorted(questionnaire.bands.all(), key=lambda band: band.min_score) if questionnaire else []
    held = {}
    for merchant_id, slug in MerchantProfile.capabilities.through.objects.filter(
        merchantprofile__in=profiles
    ).values_list("merchantprofile_id", "capability__slug"):
        held.setdefault(merchant_id, []).append(slug)
    earlier = []
    for profile in profiles:
        diagnostic = latest.get(profile.pk)
        if diagnostic is None:
            continue
        diagnostic.capabilities_detected = sorted(held.get(profile.pk, []))
        diagnostic.warnings = _demo_warnings(rng, rules, diagnostic.capabilities_detected)
        runs = int(rng.choice([0, 1, 2, 3], p=[0.25, 0.35, 0.25, 0.15]))
        days_back = sorted(rng.integers(20, 360, size=runs), reverse=True)
        for step, days in enumerate(days_back):
            drop = int(rng.integers(4, 12)) * (runs - step)
            overall = max(0, diagnostic.overall_score - drop)
            earlier.append(
                DiagnosticResult(
                    merchant=profile,
                    questionnaire=diagnostic.questionnaire,
                    questionnaire_slug=diagnostic.questionnaire_slug,
                    answers={},
                    theme_scores={t: max(0, s - drop) for t, s in diagnostic.theme_scores.items()},
                    overall_score=overall,
                    band_slug=_band_for(bands, overall, diagnostic.band_slug),
                    band_label=_band_for(bands, overall, diagnostic.band_label, attribute="label"),
                    warnings=diagnostic.warnings,
                    capabilities_detected=diagnostic.capabilities_detected[
                        : max(0, len(diagnostic.capabilities_detected) - runs + step)
                    ],
                    created_at=now - timedelta(days=int(days), hours=int(rng.integers(8, 19))),
                )
            )
    DiagnosticResult.objects.bulk_update(list(latest.values()), ["capabilities_detected", "warnings"], batch_size=1000)
    DiagnosticResult.objects.bulk_create(earlier, batch_size=1000)

    # Help requests (missions) over the past months, in every state; `seed_demo_missions` gives the ones past
    # "new" a demo student. Imported here: demo data is the one place merchants reaches into missions.
    from missions.geography import arrondissement_label
    from missions.models import Mission

    themes = list(Theme.objects.order_by("sort_order"))
    requests = []
    for profile in profiles:
        if rng.random() > 0.3 or not themes:
            continue
        created = now - timedelta(days=int(rng.integers(1, 330)), hours=int(rng.integers(0, 10)))
        status = str(rng.choice(["new", "matched", "in_progress", "done", "cancelled"], p=[0.12, 0.13, 0.15, 0.5, 0.1]))
        matched_at = (
            created + timedelta(days=int(rng.integers(1, 15))) if status in ("matched", "in_progress", "done") else None
        )
        done = status == "done"
        requests.append(
            Mission(
                merchant=profile,
                theme=themes[int(rng.integers(len(themes)))],
                need="Demande de démonstration.",
                trade_label=profile.sector.name if profile.sector else "",
                postcode=profile.postcode,
                arrondissement=arrondissement_label(profile.postcode),
                status=status,
                matched_at=matched_at if matched_at is None or matched_at < now else now,
                done_at=(matched_at + timedelta(days=10)) if done and matched_at else None,
                closed_at=(matched_at + timedelta(days=10)) if done and matched_at else None,
                satisfaction=int(rng.choice([3, 4, 5], p=[0.2, 0.4, 0.4])) if done and rng.random() < 0.8 else None,
                created_at=created,
            )
        )
    Mission.objects.bulk_create(requests, batch_size=1000)


def _band_for(bands: list, overall: int, default: str, *, attribute: str = "slug") -> str:
    reached = [band for band in bands if band.min_score <= overall] or bands[:1]
    return getattr(reached[-1], attribute) if reached else default


# How likely a demo merchant is to trigger each legal warning when they lack the capability that answers it
# (most shops charge VAT; fewer sell to businesses or use an unverified register).
DEMO_WARNING_ODDS = {
    "facturation-electronique-reception": ("facturation-electronique-reception", 0.85),
    "facturation-electronique-emission": ("facturation-electronique-emission", 0.35),
    "caisse-securisee": ("logiciel-caisse", 0.2),
}


def _demo_warnings(rng, rules: dict, capabilities: list[str]) -> list[dict]:
    """The warnings a real diagnostic would have given, drawn for a demo merchant who answered no question."""
    warnings = []
    for slug, (capability, odds) in DEMO_WARNING_ODDS.items():
        rule = rules.get(slug)
        lacking = capability not in capabilities if slug != "caisse-securisee" else capability in capabilities
        if rule and lacking and rng.random() < odds:
            warnings.append({key: rule.get(key, "") for key in ("slug", "title", "message", "module")})
    return warnings
