"""A synthetic merchant population with known ground truth, for tests, the demo and benchmarks.

Each merchant's utility for a module mixes what their profile says (sector targeting, goals served,
capabilities the module builds that they lack, missing prerequisites, level against maturity) with
hidden tastes shared within unobserved clusters: the profile explains part of the behaviour, and
co-engagement carries signal the metadata does not. Merchants then browse, view, start, complete
steps (with drop-off), rate, bookmark and dismiss modules over a few weeks, producing an event stream
in the format of :mod:`recommender.engine.weights`.

The numbers below are assumptions, not measurements: they make the simulator plausible enough to
compare models and to catch regressions, and every one of them can be changed through
:class:`SimulationParams`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import numpy as np
from scipy.special import expit

from .features import (
    MerchantFeaturizer,
    ModuleFeaturizer,
    Taxonomy,
    domain_interactions,
    feature_labels,
)
from .timeline import ProfileTimeline, first_event_times
from .weights import EVENT_DTYPE, EventWeights, interactions_from_events

__all__ = [
    "EXAMPLE_TAXONOMY",
    "EXAMPLE_CAPABILITY_THEMES",
    "Catalogue",
    "SimulationParams",
    "SimulatedPopulation",
    "synthetic_catalogue",
    "simulate_population",
]

# Mirrors content_fixtures/taxonomy.yaml (the engine reads no files and imports no Django).
_THEMES = {
    "etre-visible": "Être visible en ligne",
    "attirer-fideliser": "Attirer et fidéliser ses clients",
    "vendre-en-ligne": "Vendre en ligne",
    "encaisser-gerer": "Encaisser et gérer",
    "se-proteger": "Se protéger",
    "se-faire-accompagner": "Se faire accompagner",
}
_SECTORS = {
    "alimentaire": "Commerce de détail alimentaire",
    "non-alimentaire": "Commerce de détail non alimentaire",
    "restauration": "Restauration et cafés",
    "hotellerie": "Hôtellerie",
    "artisanat-bouche": "Artisanat des métiers de bouche",
    "artisanat-batiment": "Artisanat du bâtiment",
    "artisanat-services": "Artisanat de services",
    "services-personne": "Services à la personne",
    "professions-liberales": "Professions libérales de proximité",
}
_GOALS = {
    "etre-trouve": "Être trouvé par de nouveaux clients",
    "faire-revenir": "Faire revenir ses clients",
    "vendre-hors-horaires": "Vendre en dehors des heures d'ouverture",
    "gagner-du-temps": "Gagner du temps sur la gestion",
    "etre-paye-facilement": "Être payé plus facilement",
    "se-mettre-en-conformite": "Se mettre en conformité",
    "se-proteger-des-risques": "Se protéger des risques",
}
_CAPABILITIES = {  # slug: (name, theme)
    "smartphone-pro": ("Smartphone professionnel", "encaisser-gerer"),
    "email-pro": ("Adresse e-mail professionnelle", "etre-visible"),
    "fiche-etablissement": ("Fiche d'établissement (Google, Apple Plans, Bing)", "etre-visible"),
    "site-vitrine": ("Site vitrine", "etre-visible"),
    "nom-de-domaine": ("Nom de domaine", "etre-visible"),
    "page-facebook": ("Page Facebook", "etre-visible"),
    "compte-instagram": ("Compte Instagram professionnel", "etre-visible"),
    "whatsapp-business": ("WhatsApp Business", "attirer-fideliser"),
    "gestion-avis": ("Gestion des avis clients", "attirer-fideliser"),
    "fichier-clients": ("Fichier clients", "attirer-fideliser"),
    "newsletter": ("Newsletter ou SMS", "attirer-fideliser"),
    "programme-fidelite": ("Programme de fidélité", "attirer-fideliser"),
    "click-collect": ("Click & collect", "vendre-en-ligne"),
    "boutique-en-ligne": ("Boutique en ligne", "vendre-en-ligne"),
    "marketplace": ("Présence sur une marketplace", "vendre-en-ligne"),
    "reservation-en-ligne": ("Réservation en ligne", "vendre-en-ligne"),
    "livraison": ("Livraison", "vendre-en-ligne"),
    "paiement-sans-contact": ("Paiement sans contact", "encaisser-gerer"),
    "paiement-mobile": ("Paiement mobile", "encaisser-gerer"),
    "logiciel-caisse": ("Logiciel de caisse", "encaisser-gerer"),
    "facturation-electronique-reception": ("Facturation électronique (réception)", "encaisser-gerer"),
    "facturation-electronique-emission": ("Facturation électronique (émission)", "encaisser-gerer"),
    "sauvegardes": ("Sauvegardes régulières", "se-proteger"),
    "gestionnaire-mots-de-passe": ("Gestionnaire de mots de passe", "se-proteger"),
    "double-authentification": ("Double authentification", "se-proteger"),
    "rgpd-base": ("Conformité RGPD de base", "se-proteger"),
}

EXAMPLE_TAXONOMY = Taxonomy(
    themes=tuple(_THEMES),
    sectors=tuple(_SECTORS),
    goals=tuple(_GOALS),
    capabilities=tuple(_CAPABILITIES),
    names={
        "themes": _THEMES,
        "sectors": _SECTORS,
        "goals": _GOALS,
        "capabilities": {k: v[0] for k, v in _CAPABILITIES.items()},
        "levels": {"debutant": "Débutant", "intermediaire": "Intermédiaire", "avance": "Avancé"},
        "size_bands": {"1": "Seul", "2-5": "2 à 5 personnes", "6-10": "6 à 10 personnes", "11-49": "11 à 49 personnes"},
        "cost_bands": {
            "gratuit": "Gratuit",
            "moins-20": "Moins de 20 €",
            "20-100": "20 à 100 €",
            "plus-100": "Plus de 100 €",
        },
    },
)
#: Index into ``EXAMPLE_TAXONOMY.themes`` of each capability's theme.
EXAMPLE_CAPABILITY_THEMES = np.array([EXAMPLE_TAXONOMY.themes.index(v[1]) for v in _CAPABILITIES.values()])

# Which goals a theme's modules typically serve (synthetic catalogue only).
_THEME_GOALS = {
    "etre-visible": ("etre-trouve",),
    "attirer-fideliser": ("faire-revenir", "etre-trouve"),
    "vendre-en-ligne": ("vendre-hors-horaires", "faire-revenir"),
    "encaisser-gerer": ("etre-paye-facilement", "gagner-du-temps", "se-mettre-en-conformite"),
    "se-proteger": ("se-proteger-des-risques", "se-mettre-en-conformite"),
    "se-faire-accompagner": ("gagner-du-temps", "etre-trouve", "vendre-hors-horaires"),
}
_LEVEL_VERBS = ("Démarrer avec", "Bien utiliser", "Aller plus loin avec")


def _slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass(frozen=True)
class Catalogue:
    """A module catalogue as arrays over a taxonomy (indices into its slug lists).

    ``sectors`` all False for an item means "every sector". ``levels`` index ``taxonomy.levels``.
    """

    taxonomy: Taxonomy
    slugs: tuple[str, ...]
    titles: tuple[str, ...]
    themes: np.ndarray  # (n_items,) int
    sectors: np.ndarray  # (n_items, n_sectors) bool
    goals: np.ndarray  # (n_items, n_goals) bool
    requires: np.ndarray  # (n_items, n_capabilities) bool
    builds: np.ndarray  # (n_items, n_capabilities) bool
    levels: np.ndarray  # (n_items,) int
    cost_bands: np.ndarray  # (n_items,) int
    minutes: np.ndarray  # (n_items,) int
    boosts: np.ndarray  # (n_items,) float, editorial weight in [0, 1]

    @property
    def n_items(self) -> int:
        return len(self.slugs)

    def records(self) -> list[dict]:
        """Module records in the shape of a content fixture (what :class:`ModuleFeaturizer` reads)."""
        tx = self.taxonomy
        pick = lambda names, mask: [names[j] for j in np.flatnonzero(mask)]  # noqa: E731
        return [
            {
                "slug": self.slugs[i],
                "title": self.titles[i],
                "theme": tx.themes[self.themes[i]],
                "sectors": pick(tx.sectors, self.sectors[i]),
                "goals": pick(tx.goals, self.goals[i]),
                "capabilities_required": pick(tx.capabilities, self.requires[i]),
                "capabilities_built": pick(tx.capabilities, self.builds[i]),
                "level": tx.levels[self.levels[i]],
                "cost_band": tx.cost_bands[self.cost_bands[i]],
                "estimated_minutes": int(self.minutes[i]),
            }
            for i in range(self.n_items)
        ]

    @classmethod
    def from_records(cls, records: Sequence[Mapping], taxonomy: Taxonomy) -> Catalogue:
        """Build a catalogue from module records (e.g. the content fixtures); unknown slugs are ignored."""

        def mask(slugs, names):
            index = {s: j for j, s in enumerate(names)}
            out = np.zeros(len(names), dtype=bool)
            for s in slugs or ():
                if s in index:
                    out[index[s]] = True
            return out

        def idx(slug, names, default=0):
            return names.index(slug) if slug in names else default

        return cls(
            taxonomy=taxonomy,
            slugs=tuple(r.get("slug", f"module-{i}") for i, r in enumerate(records)),
            titles=tuple(r.get("title", r.get("slug", f"Module {i}")) for i, r in enumerate(records)),
            themes=np.array([idx(r.get("theme"), taxonomy.themes) for r in records]),
            sectors=np.array([mask(r.get("sectors"), taxonomy.sectors) for r in records]).reshape(len(records), -1),
            goals=np.array([mask(r.get("goals"), taxonomy.goals) for r in records]).reshape(len(records), -1),
            requires=np.array([mask(r.get("capabilities_required"), taxonomy.capabilities) for r in records]).reshape(
                len(records), -1
            ),
            builds=np.array([mask(r.get("capabilities_built"), taxonomy.capabilities) for r in records]).reshape(
                len(records), -1
            ),
            levels=np.array([idx(r.get("level"), taxonomy.levels) for r in records]),
            cost_bands=np.array([idx(r.get("cost_band"), taxonomy.cost_bands) for r in records]),
            minutes=np.array([int(r.get("estimated_minutes", 30)) for r in records]),
            boosts=np.array([float((r.get("boost") or {}).get("weight", 0.0)) for r in records]),
        )


def synthetic_catalogue(
    n_items: int = 45,
    *,
    seed: int = 0,
    taxonomy: Taxonomy = EXAMPLE_TAXONOMY,
    capability_themes: np.ndarray = EXAMPLE_CAPABILITY_THEMES,
) -> Catalogue:
    """A plausible catalogue of ``n_items`` modules spread over the taxonomy's themes."""
    rng = np.random.default_rng(seed)
    tx = taxonomy
    n_t, n_s, n_g, n_c = len(tx.themes), len(tx.sectors), len(tx.goals), len(tx.capabilities)
    themes = np.arange(n_items) % n_t
    rng.shuffle(themes)
    sectors = np.zeros((n_items, n_s), dtype=bool)
    goals = np.zeros((n_items, n_g), dtype=bool)
    requires = np.zeros((n_items, n_c), dtype=bool)
    builds = np.zeros((n_items, n_c), dtype=bool)
    level_p = np.array([0.45, 0.35, 0.2, 0.1, 0.1])[: len(tx.levels)]
    levels = rng.choice(len(tx.levels), size=n_items, p=level_p / level_p.sum())
    titles, slugs = [], []
    for i, t in enumerate(themes):
        own = np.flatnonzero(capability_themes == t)
        pool = own if own.size else np.arange(n_c)
        built = rng.choice(pool, size=min(pool.size, 1 + (rng.random() < 0.3)), replace=False)
        builds[i, built] = True
        if rng.random() < 0.4:
            others = np.setdiff1d(np.arange(n_c), built)
            requires[i, rng.choice(others)] = True
            levels[i] = min(levels[i] + 1, len(tx.levels) - 1)  # a module with prerequisites is rarely for beginners
        theme_goals = [tx.goals.index(g) for g in _THEME_GOALS.get(tx.themes[t], ()) if g in tx.goals] or list(
            range(n_g)
        )
        goals[i, rng.choice(theme_goals, size=min(len(theme_goals), 1 + (rng.random() < 0.35)), replace=False)] = True
        if rng.random() < 0.45:
            sectors[i, rng.choice(n_s, size=rng.integers(1, 4), replace=False)] = True
        cap_name = tx.name("capabilities", tx.capabilities[built[0]])
        title = f"{_LEVEL_VERBS[min(levels[i], len(_LEVEL_VERBS) - 1)]} : {cap_name}"
        slug = _slugify(title)
        if slug in slugs:
            title, slug = f"{title} ({i})", f"{slug}-{i}"
        titles.append(title)
        slugs.append(slug)
    return Catalogue(
        taxonomy=tx,
        slugs=tuple(slugs),
        titles=tuple(titles),
        themes=themes,
        sectors=sectors,
        goals=goals,
        requires=requires,
        builds=builds,
        levels=levels,
        cost_bands=rng.choice(len(tx.cost_bands), size=n_items, p=[0.5, 0.25, 0.15, 0.1]),
        minutes=np.round(np.exp(rng.uniform(np.log(15), np.log(240), size=n_items))).astype(int),
        boosts=np.where(rng.random(n_items) < 0.1, 0.5, 0.0),
    )


@dataclass(frozen=True)
class SimulationParams:
    """The assumptions of the simulator (utility weights, behaviour rates). Defaults are documented guesses."""

    # utility: profile × metadata
    sector_targeted_match: float = 0.8  # module made for your sector
    sector_targeted_other: float = -1.5  # module made for other sectors only
    goal_served: float = 0.9  # per goal of yours the module serves
    builds_lacking: float = 1.3  # module builds capabilities you lack (times the share it builds that you lack)
    builds_owned: float = -0.6  # ... or only ones you already have
    missing_prerequisite: float = -0.7  # per prerequisite you lack
    level_mismatch: float = -1.5  # times |your maturity in its theme - its level's target maturity|
    quality_sd: float = 0.35  # intrinsic module quality
    # utility: hidden co-engagement tastes
    n_clusters: int = 6
    latent_dim: int = 4
    latent_strength: float = 1.0
    idiosyncratic_sd: float = 0.3
    # behaviour
    mean_log_activity: float = 1.7  # log of the typical number of modules a merchant looks at
    sd_log_activity: float = 0.6
    browse_utility: float = 0.8  # how much utility steers what merchants open (vs visibility)
    visibility_sd: float = 0.5
    start_slope: float = 1.3
    start_offset: float = -0.5
    step_continue_offset: float = 1.5  # logit of finishing the next step at utility 0
    rating_rate: float = 0.5
    bookmark_rate: float = 0.12
    dismiss_rate: float = 0.35
    maturity_noise_sd: float = 0.1  # the diagnostic measures maturity with noise
    weeks: int = 12
    # production mode only (``simulate_population(mode="production")``): how profiles fill up over time
    declare_rate: float = 0.7  # share of the capabilities they have that merchants tick at sign-up
    diagnostic_rate: float = 0.6  # share of merchants who take the diagnostic
    diagnostic_delay_days: float = 5.0  # mean delay between joining and taking it
    diagnostic_detect_rate: float = 0.9  # share of the undeclared capabilities it detects


@dataclass
class SimulatedPopulation:
    """What :func:`simulate_population` returns: profiles, features, events and the hidden truth."""

    taxonomy: Taxonomy
    catalogue: Catalogue
    merchants: list[dict]
    merchant_featurizer: MerchantFeaturizer
    module_featurizer: ModuleFeaturizer
    user_features: np.ndarray
    item_features: np.ndarray
    feature_pairs: np.ndarray  # domain interactions for ContentRecommender
    segment_columns: np.ndarray  # sector columns of user_features, for PopularityRecommender
    feature_labels: dict[str, str]
    events: np.ndarray  # EVENT_DTYPE
    utility: np.ndarray  # (n_merchants, n_items), the ground truth
    clusters: np.ndarray  # hidden taste cluster of each merchant
    now: float
    #: "declared" (profiles as the merchants truly are, maturity known for all) or "production" (profiles
    #: filled over time by declarations, diagnostics and completions, as the platform records them)
    mode: str = "declared"
    timeline: ProfileTimeline | None = None

    @property
    def n_merchants(self) -> int:
        return self.user_features.shape[0]

    @property
    def n_items(self) -> int:
        return self.item_features.shape[0]

    @property
    def user_feature_names(self) -> np.ndarray:
        return self.merchant_featurizer.feature_names_

    @property
    def item_feature_names(self) -> np.ndarray:
        return self.module_featurizer.feature_names_

    def interactions(self, weights: EventWeights | None = None):
        """``(X, dismissed)`` from the event stream, as the training job would build them."""
        return interactions_from_events(
            self.events, n_users=self.n_merchants, n_items=self.n_items, now=self.now, weights=weights
        )


def _gumbel_top(logits: np.ndarray, counts: np.ndarray, rng) -> np.ndarray:
    """Per row, draw ``counts[row]`` items without replacement with probability ∝ ``exp(logits)``.

    Returns ``(mask, ranks)``: the drawn items, and each item's draw order (0 = first). The
    Gumbel-top-k trick turns the sequential draw into one vectorised sort.
    """
    keys = logits + rng.gumbel(size=logits.shape)
    order = np.argsort(-keys, axis=1)
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(logits.shape[1])[None, :].repeat(logits.shape[0], 0), axis=1)
    return ranks < counts[:, None], ranks


def simulate_population(
    n_merchants: int = 2000,
    *,
    catalogue: Catalogue | None = None,
    n_items: int = 45,
    seed: int = 0,
    params: SimulationParams | None = None,
    capability_themes: np.ndarray | None = None,
    start: datetime = datetime(2026, 9, 1, tzinfo=UTC),
    mode: str = "declared",
) -> SimulatedPopulation:
    """Simulate ``n_merchants`` merchants engaging with a catalogue (synthetic unless given), deterministically per ``seed``.

    ``mode="declared"`` (the default, what the demo data uses): the product sees each merchant's true
    capabilities and everyone's maturity. ``mode="production"``: the product sees what the platform
    records, over time — at sign-up merchants tick ``declare_rate`` of the capabilities they have; a
    ``diagnostic_rate`` share take the diagnostic (about ``diagnostic_delay_days`` later), which detects
    most undeclared capabilities and measures maturity (unknown before it); completing a module adds the
    capabilities it builds at that moment. Today's profile then holds consequences of past interactions,
    which :attr:`SimulatedPopulation.timeline` lets training undo. Behaviour (the events) is the same in both
    modes for a seed; production draws use their own random stream.
    """
    if mode not in ("declared", "production"):
        raise ValueError(f"mode must be 'declared' or 'production', got {mode!r}")
    p = params or SimulationParams()
    rng = np.random.default_rng(seed)
    cat = catalogue if catalogue is not None else synthetic_catalogue(n_items, seed=seed)
    tx = cat.taxonomy
    if capability_themes is None:
        capability_themes = (
            EXAMPLE_CAPABILITY_THEMES
            if tx.capabilities == EXAMPLE_TAXONOMY.capabilities
            else np.arange(len(tx.capabilities)) % len(tx.themes)
        )
    n, m = n_merchants, cat.n_items
    n_t, n_s, n_g, n_c = len(tx.themes), len(tx.sectors), len(tx.goals), len(tx.capabilities)

    # --- profiles ---------------------------------------------------------------------------------
    sector_weights = rng.dirichlet(np.full(n_s, 4.0))
    sector = rng.choice(n_s, size=n, p=sector_weights)
    size_p = np.array([0.45, 0.35, 0.12, 0.08, 0.05, 0.05])[: len(tx.size_bands)]
    size = rng.choice(len(tx.size_bands), size=n, p=size_p / size_p.sum())
    general = np.clip(rng.beta(2.0, 2.5, size=n) + 0.05 * size, 0, 1)
    maturity = np.clip(general[:, None] + rng.normal(0, 0.15, size=(n, n_t)), 0, 1)
    difficulty = rng.uniform(0.15, 0.85, size=n_c)
    has = rng.random((n, n_c)) < expit(8.0 * (maturity[:, capability_themes] - difficulty))
    # Goals: sectors lean toward some goals; less mature merchants first want to be found.
    affinity = np.log(rng.dirichlet(np.full(n_g, 0.8), size=n_s))
    goal_logits = affinity[sector]
    if "etre-trouve" in tx.goals:
        goal_logits[:, tx.goals.index("etre-trouve")] += 1.5 * (0.5 - general)
    n_goals = 1 + rng.binomial(2, 0.35, size=n)
    goals, _ = _gumbel_top(goal_logits, n_goals, rng)

    # --- ground-truth utility -----------------------------------------------------------------------
    targeted = cat.sectors.any(axis=1)
    sector_match = cat.sectors[:, sector].T  # (n, m)
    u = np.where(targeted, np.where(sector_match, p.sector_targeted_match, p.sector_targeted_other), 0.0)
    u += p.goal_served * (goals.astype(float) @ cat.goals.T)
    lacks = ~has
    n_built = np.maximum(cat.builds.sum(axis=1), 1)
    share_lacking = (lacks.astype(float) @ cat.builds.T) / n_built
    u += np.where(share_lacking > 0, p.builds_lacking * share_lacking, p.builds_owned)
    u += p.missing_prerequisite * (lacks.astype(float) @ cat.requires.T)
    level_target = np.linspace(0.2, 0.8, len(tx.levels))[cat.levels]
    u += p.level_mismatch * np.abs(maturity[:, cat.themes] - level_target)
    u += rng.normal(0, p.quality_sd, size=m)
    centroids = rng.normal(0, 1, size=(p.n_clusters, p.latent_dim))
    clusters = rng.integers(p.n_clusters, size=n)
    tastes = centroids[clusters] + 0.5 * rng.normal(size=(n, p.latent_dim))
    item_factors = rng.normal(size=(m, p.latent_dim))
    u += p.latent_strength * (tastes @ item_factors.T) / np.sqrt(p.latent_dim)
    u += rng.normal(0, p.idiosyncratic_sd, size=(n, m))
    # Centre per merchant so that behaviour rates mean the same for everyone.
    utility = u - u.mean(axis=1, keepdims=True)

    # --- behaviour ----------------------------------------------------------------------------------
    visibility = rng.normal(0, p.visibility_sd, size=m) + cat.boosts
    activity = np.minimum(1 + rng.poisson(np.exp(rng.normal(p.mean_log_activity, p.sd_log_activity, size=n))), m)
    considered, browse_rank = _gumbel_top(p.browse_utility * utility + visibility, activity, rng)
    users, items = np.nonzero(considered)
    uij = utility[users, items]
    k = users.size
    started = rng.random(k) < expit(p.start_slope * uij + p.start_offset)
    n_steps = 3 + (np.arange(m) * 7 + seed) % 4  # 3 to 6 steps per module
    max_steps = int(n_steps.max())
    cont = rng.random((k, max_steps)) < expit(uij + p.step_continue_offset)[:, None]
    steps_done = np.where(started, np.minimum(np.cumprod(cont, axis=1).sum(axis=1), n_steps[items]), 0)
    completed = started & (steps_done == n_steps[items])
    rated = completed & (rng.random(k) < p.rating_rate)
    rating = np.clip(np.round(3 + 0.9 * uij + rng.normal(0, 0.8, size=k)), 1, 5)
    bookmarked = rng.random(k) < p.bookmark_rate * expit(uij)
    dismissed = ~started & (rng.random(k) < p.dismiss_rate * expit(-uij))

    # --- timestamps ---------------------------------------------------------------------------------
    t0 = start.timestamp()
    day = 86_400.0
    joined = t0 + rng.uniform(0, 0.6 * p.weeks * 7, size=n) * day
    # Visits in browse order, a few days apart.
    gaps = rng.exponential(3.0 * day, size=(n, m))
    visit_offset = np.take_along_axis(np.cumsum(gaps, axis=1), browse_rank, axis=1)
    view_t = joined[users] + visit_offset[users, items]
    start_t = view_t + rng.exponential(600.0, size=k)
    step_gaps = rng.exponential(day, size=(k, max_steps))
    step_t = start_t[:, None] + np.cumsum(step_gaps, axis=1)

    parts = []

    def emit(mask, kind, times, values=None):
        idx = np.flatnonzero(mask)
        rec = np.zeros(idx.size, dtype=EVENT_DTYPE)
        rec["user"], rec["item"], rec["kind"] = users[idx], items[idx], kind
        rec["value"] = np.nan if values is None else values[idx]
        rec["occurred_at"] = times[idx]
        parts.append(rec)

    emit(np.ones(k, bool), "viewed", view_t)
    emit(started, "started", start_t)
    for s in range(max_steps):
        emit(steps_done > s, "step_completed", step_t[:, s], np.full(k, s + 1.0))
    last_step_t = step_t[np.arange(k), np.maximum(steps_done - 1, 0)]
    emit(completed, "completed", last_step_t + 60.0)
    emit(rated, "rated", last_step_t + 3600.0, rating)
    emit(bookmarked, "bookmarked", view_t + 60.0)
    emit(dismissed, "dismissed", view_t + 30.0)
    events = np.concatenate(parts)
    events = events[np.lexsort((events["item"], events["user"], events["occurred_at"]))]

    # --- what the product sees: declared profiles and their features -------------------------------------
    observed_maturity = np.clip(maturity + rng.normal(0, p.maturity_noise_sd, size=maturity.shape), 0, 1)
    mf = MerchantFeaturizer().fit(tx)
    of = ModuleFeaturizer().fit(tx)
    if mode == "production":
        since, source_item, origin, diagnosed_at = _production_profiles(
            has, joined, events, cat.builds, p, np.random.default_rng([seed, 1])
        )
    else:
        since = np.where(has, -np.inf, np.inf)
        source_item = np.full(has.shape, -1, dtype=np.intp)
        origin = np.where(has, "declared", "")
        diagnosed_at = np.full(n, -np.inf)
    merchants = []
    for i in range(n):
        owned = np.flatnonzero(since[i] < np.inf)
        record = {
            "sector": tx.sectors[sector[i]],
            "size_band": tx.size_bands[size[i]],
            "capabilities": [tx.capabilities[c] for c in owned],
            "goals": [tx.goals[g] for g in np.flatnonzero(goals[i])],
            "maturity": (
                {tx.themes[t]: round(float(observed_maturity[i, t]), 3) for t in range(n_t)}
                if diagnosed_at[i] < np.inf
                else {}
            ),
        }
        if mode == "production":
            record["capability_origins"] = [
                {
                    "capability": tx.capabilities[c],
                    "source": str(origin[i, c]),
                    "since": float(since[i, c]),
                    "module": cat.slugs[source_item[i, c]] if source_item[i, c] >= 0 else None,
                }
                for c in owned
            ]
            record["diagnosed_at"] = float(diagnosed_at[i]) if np.isfinite(diagnosed_at[i]) else None
        merchants.append(record)
    user_features = mf.transform(merchants)
    timeline = ProfileTimeline(
        features=user_features,
        has_columns=mf.columns("has"),
        lacks_columns=mf.columns("lacks"),
        capability_since=since,
        capability_module=source_item,
        maturity_columns=mf.columns("maturity"),
        maturity_since=diagnosed_at,
        unknown_maturity=float(mf.unknown_maturity),
        first_times=first_event_times(events, n_users=n, n_items=m),
    )
    return SimulatedPopulation(
        taxonomy=tx,
        catalogue=cat,
        merchants=merchants,
        merchant_featurizer=mf,
        module_featurizer=of,
        user_features=user_features,
        item_features=of.transform(cat.records()),
        feature_pairs=domain_interactions(mf, of),
        segment_columns=mf.columns("sector"),
        feature_labels=feature_labels(tx, mf, of),
        events=events,
        utility=utility,
        clusters=clusters,
        now=float(events["occurred_at"].max()) if events.size else t0,
        mode=mode,
        timeline=timeline,
    )


def _production_profiles(has, joined, events, builds, p: SimulationParams, rng):
    """Profiles as the platform records them: declared at sign-up, detected by a diagnostic, acquired by
    completing a module. Returns ``(since, source_item, origin, diagnosed_at)``: per (merchant, capability)
    the time it entered the profile (``inf``: never), the module that brought it (-1: none), its origin
    ("declared", "detected", "acquired" or ""), and per merchant the diagnostic's time (``inf``: none)."""
    n, n_c = has.shape
    since = np.full((n, n_c), np.inf)
    source_item = np.full((n, n_c), -1, dtype=np.intp)
    origin = np.full((n, n_c), "", dtype=object)
    declared = has & (rng.random((n, n_c)) < p.declare_rate)
    since[declared] = np.broadcast_to(joined[:, None], (n, n_c))[declared]
    origin[declared] = "declared"
    diagnosed = rng.random(n) < p.diagnostic_rate
    diagnosed_at = np.where(diagnosed, joined + rng.exponential(p.diagnostic_delay_days * 86_400.0, size=n), np.inf)
    detected = has & ~declared & diagnosed[:, None] & (rng.random((n, n_c)) < p.diagnostic_detect_rate)
    since[detected] = np.broadcast_to(diagnosed_at[:, None], (n, n_c))[detected]
    origin[detected] = "detected"
    done = events[events["kind"] == "completed"]
    if done.size:
        # Per (merchant, capability): the earliest completion of a module that builds it.
        u, i, t = done["user"], done["item"], done["occurred_at"]
        pair_item, pair_cap = np.nonzero(builds[i])
        cu, cc, ct, ci = u[pair_item], pair_cap, t[pair_item], i[pair_item]
        order = np.lexsort((ct, cc, cu))
        cu, cc, ct, ci = cu[order], cc[order], ct[order], ci[order]
        first = np.ones(cu.size, dtype=bool)
        first[1:] = (cu[1:] != cu[:-1]) | (cc[1:] != cc[:-1])
        cu, cc, ct, ci = cu[first], cc[first], ct[first], ci[first]
        earlier = ct < since[cu, cc]
        cu, cc, ct, ci = cu[earlier], cc[earlier], ct[earlier], ci[earlier]
        since[cu, cc] = ct
        source_item[cu, cc] = ci
        origin[cu, cc] = "acquired"
    return since, source_item, origin, diagnosed_at


def with_params(**changes) -> SimulationParams:
    """``SimulationParams`` with some assumptions changed (for sensitivity checks)."""
    return replace(SimulationParams(), **changes)
