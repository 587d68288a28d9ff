"""Serving: one merchant's ranked modules, from the active model version or the best fallback.

Per request: one indexed query tells which version is active (so every worker switches as soon as a
version is activated, without a restart); the fitted model is loaded once per process and kept in a
cache keyed by `(version id, sha256)`. Whatever goes wrong with the model (none yet, missing or corrupt
artifact, incompatible format, a scoring error), the answer falls back to live popularity, then to
catalogue order: never a 500. A corrupt or incompatible artifact stays refused until another version is
activated; a missing one (shared storage briefly unavailable) is tried again after a back-off. Modules
published after training are scored from their features by the content part of the model.
"""

import hashlib
import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from django.conf import settings
from django.db.models import Count, Max
from django.utils import timezone

from cms import selectors as cms_selectors
from cms.models import Capability, ModulePage
from merchants import selectors as merchant_selectors
from merchants.models import MerchantProfile
from recommender import artifacts, selectors, services
from recommender.defaults import RECOMMENDER_DEFAULTS
from recommender.engine import explain as engine_explain
from recommender.engine.features import feature_labels
from recommender.engine.hybrid import normalize_rows
from recommender.engine.ranking import EpsilonGreedyExploration, rank
from recommender.engine.unseen import score_unseen_items
from recommender.engine.weights import (
    DEFAULT_EVENT_WEIGHTS as EVENT_WEIGHTS,
)
from recommender.engine.weights import (
    EVENT_KINDS,
    EventWeights,
    events_to_array,
    interactions_from_events,
)
from recommender.models import ModelVersion

logger = logging.getLogger(__name__)

NO_CONSENT_NOTICE = (
    "Vous n'avez pas accepté la personnalisation : ces recommandations s'appuient sur votre profil "
    "(secteur, objectifs, outils déclarés) et sur les modules les plus suivis, jamais sur votre historique."
)
NEW_MODULE_REASON = "Nouveau module, récemment publié"
LABELS_TTL = 300.0  # seconds before taxonomy names are read again for reasons
#: Seconds before a worker tries again to load an artifact it could not read (settings.RECOMMENDER
#: ARTIFACT_RETRY_SECONDS overrides it): the storage may only have been unavailable for a moment.
ARTIFACT_RETRY_SECONDS = RECOMMENDER_DEFAULTS["ARTIFACT_RETRY_SECONDS"]
#: `ArtifactError` reasons that may go away by themselves; any other reason is final for that file.
TRANSIENT_ARTIFACT_ERRORS = frozenset({"artifact-missing"})


def _setting(name: str):
    """`settings.RECOMMENDER[name]`, else the one default of `recommender.defaults`."""
    return settings.RECOMMENDER.get(name, RECOMMENDER_DEFAULTS[name])


@dataclass(frozen=True)
class ServingState:
    """What serves right now: `strategy` ("hybrid", …, or "fallback-popularity"), and why when degraded."""

    strategy: str
    version_id: int | None = None
    reason: str | None = None

    @property
    def degraded(self) -> bool:
        return self.reason is not None


@dataclass
class LoadedModel:
    version: ModelVersion
    artifact: artifacts.Artifact
    slug_index: dict[str, int]
    labels: dict[str, str] = field(default_factory=dict)
    labels_loaded_at: float = 0.0


@dataclass(frozen=True)
class _Unusable:
    """A failed load: final (`retry_at` None) or worth trying again once `time.monotonic()` reaches `retry_at`."""

    error: artifacts.ArtifactError
    retry_at: float | None = None

    def due(self) -> bool:
        return self.retry_at is not None and time.monotonic() >= self.retry_at


# Per-process cache: {(version id, sha256): LoadedModel or _Unusable}. Only the current key is kept.
_loaded: dict[tuple[int, str], object] = {}
_warned: set[tuple] = set()
_lock = threading.Lock()


def reset_process_cache() -> None:
    """Forget loaded models (what a fresh worker process would see)."""
    with _lock:
        _loaded.clear()
        _warned.clear()
        _catalogue.clear()


def _warn_once(key: tuple, message: str, *args) -> None:
    if key not in _warned:
        _warned.add(key)
        logger.warning(message, *args)


def _load(ref: tuple[int, str]):
    version = ModelVersion.objects.get(pk=ref[0])
    try:
        artifact = artifacts.load(version.artifact_name, sha256=version.artifact_sha256)
        if len(artifact.module_slugs) != getattr(artifact.model, "n_items_", -1):
            raise artifacts.ArtifactError("artifact-incompatible", "module list and model disagree")
    except artifacts.ArtifactError as error:
        if error.reason not in TRANSIENT_ARTIFACT_ERRORS:
            _warn_once((ref, error.reason), "recommender version %s unusable (%s): %s", ref[0], error.reason, error)
            return _Unusable(error)
        delay = float(_setting("ARTIFACT_RETRY_SECONDS"))
        _warn_once(
            (ref, error.reason),
            "recommender version %s unusable for now (%s): %s; trying again every %.0f s",
            ref[0],
            error.reason,
            error,
            delay,
        )
        return _Unusable(error, retry_at=time.monotonic() + delay)
    _warned.difference_update({(ref, reason) for reason in TRANSIENT_ARTIFACT_ERRORS})  # warn again next outage
    logger.info("recommender version %s loaded (%s)", version.pk, artifact.algorithm)
    return LoadedModel(
        version=version, artifact=artifact, slug_index={slug: i for i, slug in enumerate(artifact.module_slugs)}
    )


def active_model() -> tuple[LoadedModel | None, ServingState]:
    ref = selectors.active_version_ref()
    if ref is None:
        _warn_once(("none",), "recommender has no active model version: serving popularity")
        return None, ServingState("fallback-popularity", None, "no-active-model")
    loaded = _loaded.get(ref)
    if loaded is None or (isinstance(loaded, _Unusable) and loaded.due()):
        with _lock:  # one thread loads (or retries); the others then find its result
            loaded = _loaded.get(ref)
            if loaded is None or (isinstance(loaded, _Unusable) and loaded.due()):
                loaded = _load(ref)
                _loaded.clear()
                _loaded[ref] = loaded
    if isinstance(loaded, _Unusable):
        return None, ServingState("fallback-popularity", ref[0], loaded.error.reason)
    return loaded, ServingState(loaded.artifact.algorithm, ref[0])


def current_state() -> ServingState:
    return active_model()[1]


def status() -> dict:
    """For /readyz and the editors' report: the active version serving, or the fallback in use and why. Never
    makes the service not ready."""
    state = current_state()
    body = {"ok": True, "degraded": state.degraded, "strategy": state.strategy}
    if state.version_id is not None:
        body["active_version"] = state.version_id
    if state.reason:
        body["fallback_reason"] = state.reason
    return body


# --- Results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    code: str
    text: str


@dataclass(frozen=True)
class Recommendation:
    rank: int
    score: float
    module: object
    reasons: tuple[Reason, ...]
    missing_prerequisites: tuple[Capability, ...] = ()
    prepare_with: tuple[object, ...] = ()  # modules that build a missing prerequisite
    explored: bool = False


@dataclass(frozen=True)
class Recommendations:
    recommendation_id: uuid.UUID
    strategy: str
    model_version: ModelVersion | None
    personalised: bool
    notice: str | None
    results: tuple[Recommendation, ...]
    fallback_reason: str | None = None


# --- The catalogue, cached per process while it does not change ------------------------------


@dataclass
class CatalogueSnapshot:
    modules: list
    capabilities: list
    required: np.ndarray  # (n_modules, n_capabilities) bool
    builds: np.ndarray
    theme_ids: np.ndarray
    cap_index: dict


_catalogue: dict[tuple, CatalogueSnapshot] = {}


def _catalogue_key() -> tuple:
    """Two aggregate queries: publishing, unpublishing or editing a module, or adding, editing or deleting any
    taxonomy term the snapshot holds (themes, sectors, goals, capabilities, levels: their slugs filter by
    theme and their names are shown) changes the key."""
    modules = (
        ModulePage.objects.live()
        .public()
        .aggregate(n=Count("id"), published=Max("last_published_at"), revision=Max("live_revision_id"))
    )
    return (*modules.values(), *cms_selectors.edit_versions(cms_selectors.TAXONOMY_MODELS))


def catalogue_snapshot() -> CatalogueSnapshot:
    key = _catalogue_key()
    snapshot = _catalogue.get(key)
    if snapshot is None:
        modules = selectors.catalogue()
        capabilities = list(Capability.objects.order_by("sort_order", "name", "slug"))
        cap_index = {c.pk: j for j, c in enumerate(capabilities)}
        required = np.zeros((len(modules), len(capabilities)), dtype=bool)
        builds = np.zeros_like(required)
        for i, module in enumerate(modules):
            required[i, [cap_index[c.pk] for c in module.capabilities_required.all()]] = True
            builds[i, [cap_index[c.pk] for c in module.capabilities_built.all()]] = True
        theme_ids = np.array([m.theme_id for m in modules])
        snapshot = CatalogueSnapshot(modules, capabilities, required, builds, theme_ids, cap_index)
        with _lock:
            _catalogue.clear()
            _catalogue[key] = snapshot
    return snapshot


# --- The request path --------------------------------------------------------------------------


@dataclass
class _Context:
    merchant: MerchantProfile
    modules: list
    record: dict
    history: list  # (module_id, kind, value, occurred_at) the merchant consented to us using
    now: datetime


def _exclusions(events, modules) -> np.ndarray:
    """Completed modules, and modules whose latest event is a dismissal (never shown, consent or not)."""
    index = {module.pk: i for i, module in enumerate(modules)}
    completed, last_dismissal, last_other = set(), {}, {}
    for module_id, kind, _value, occurred_at in events:
        if kind == "completed":
            completed.add(module_id)
        target = last_dismissal if kind == "dismissed" else last_other
        target[module_id] = max(target.get(module_id, occurred_at), occurred_at)
    excluded = np.zeros(len(modules), dtype=bool)
    for module_id in completed | {m for m, t in last_dismissal.items() if t >= last_other.get(m, t)}:
        if module_id in index:
            excluded[index[module_id]] = True
    return excluded


def _history_row(loaded: LoadedModel, context: _Context):
    slug_of = {module.pk: module.slug for module in context.modules}
    rows = [
        (0, loaded.slug_index[slug_of[module_id]], kind, value, occurred_at)
        for module_id, kind, value, occurred_at in context.history
        if kind in EVENT_KINDS and module_id in slug_of and slug_of[module_id] in loaded.slug_index
    ]
    n_items = len(loaded.artifact.module_slugs)
    X_row, _dismissed = interactions_from_events(
        events_to_array(rows) if rows else [],
        n_users=1,
        n_items=n_items,
        now=context.now,
        weights=trained_event_weights(loaded.artifact),
    )
    return X_row


def trained_event_weights(artifact) -> EventWeights:
    """The event weights the model was trained with (stored in the artifact), so that serving weighs a history
    as training did; artifacts made before they were stored use the current defaults."""
    stored = (getattr(artifact, "extra", None) or {}).get("event_weights")
    return EventWeights(**stored) if stored else EVENT_WEIGHTS


def _unseen_module_scores(loaded, U, X_row, known_scores, new_modules) -> np.ndarray:
    """Modules published after training: scored by the engine from their features (`engine.unseen`)."""
    V = loaded.artifact.module_featurizer.transform([selectors.module_record(m) for m in new_modules])
    return score_unseen_items(loaded.artifact.model, U, X_row, V, known_scores)


def _labels(loaded: LoadedModel) -> dict[str, str]:
    if time.monotonic() - loaded.labels_loaded_at > LABELS_TTL:
        art = loaded.artifact
        loaded.labels = feature_labels(selectors.current_taxonomy(), art.merchant_featurizer, art.module_featurizer)
        loaded.labels_loaded_at = time.monotonic()
    return loaded.labels


def _model_scores(loaded: LoadedModel, context: _Context):
    """Scores of every published module (catalogue order) and a function giving reasons for some of them."""
    art = loaded.artifact
    U = art.merchant_featurizer.transform([context.record])
    X_row = _history_row(loaded, context)
    model_scores = art.model.score(X_row, user_features=U)[0]
    columns = np.array([loaded.slug_index.get(m.slug, -1) for m in context.modules])
    known = columns >= 0
    scores = np.empty(len(context.modules))
    scores[known] = model_scores[columns[known]]
    if (~known).any():
        new = [m for m, k in zip(context.modules, known, strict=True) if not k]
        scores[~known] = _unseen_module_scores(loaded, U, X_row, model_scores, new)

    def reasons_for(items: list[int], boosts: np.ndarray) -> dict[int, list[Reason]]:
        titles = {m.slug: m.title for m in context.modules}
        vocabulary = engine_explain.ReasonVocabulary(
            user_feature_names=list(art.merchant_featurizer.feature_names_),
            item_feature_names=list(art.module_featurizer.feature_names_),
            labels=_labels(loaded),
            item_titles=[titles.get(slug, slug) for slug in art.module_slugs],
        )
        model_boosts = np.zeros(len(art.module_slugs))
        model_boosts[columns[known]] = boosts[known]
        in_model = [i for i in items if known[i]]
        explained = engine_explain.explain(
            art.model,
            [int(columns[i]) for i in in_model],
            history_row=X_row,
            user_features_row=U[0],
            vocabulary=vocabulary,
            boosts=model_boosts,
            known_maturity=set(context.record.get("maturity") or ()),
        )
        result = {
            i: [Reason(r.source, r.text) for r in reasons] for i, reasons in zip(in_model, explained, strict=True)
        }
        for i in items:
            if not known[i]:
                result[i] = [Reason("new", NEW_MODULE_REASON)] + (
                    [Reason("editorial", engine_explain.EDITORIAL_TEMPLATE)] if boosts[i] > 0 else []
                )
        return result

    return scores, reasons_for


def _fallback_scores(modules) -> tuple[np.ndarray, str]:
    counts = selectors.live_popularity()
    popularity = np.array([counts.get(m.pk, 0) for m in modules], dtype=np.float64)
    if popularity.any():
        return normalize_rows(popularity[None, :])[0], "fallback-popularity"
    # Catalogue order: the first module scores highest, on a z-score-like scale so boosts weigh the same.
    return np.linspace(1.0, -1.0, len(modules)) if len(modules) > 1 else np.zeros(len(modules)), "fallback-catalogue"


def _fallback_reasons(strategy: str, modules):
    """Popularity is claimed only for modules enough merchants took up (as the model's reasons do)."""
    counts = selectors.live_popularity() if strategy == "fallback-popularity" else {}

    def base(i):
        if counts.get(modules[i].pk, 0) >= engine_explain.POPULARITY_MIN_COUNT:
            return [Reason("popularity", engine_explain.POPULARITY_TEMPLATE)]
        return [Reason("fallback", engine_explain.FALLBACK_TEMPLATE)]

    def reasons_for(items, boosts):
        return {
            i: ([Reason("editorial", engine_explain.EDITORIAL_TEMPLATE)] if boosts[i] > 0 else []) + base(i)
            for i in items
        }

    return reasons_for


KNOWN_REASON = "Vous savez déjà faire ce qu'il enseigne ({capabilities}) : à garder pour réviser"
PREREQUISITE_IN_LIST_REASON = "À suivre après « {title} », qui vous apprend d'abord : {capabilities}"
PREREQUISITE_OUTSIDE_REASON = "Il vous faut d'abord : {capabilities} (par exemple avec « {title} »)"
PREREQUISITE_REASON = "Il vous faut d'abord : {capabilities}"


def _names(capabilities, indices) -> str:
    return ", ".join(capabilities[j].name for j in indices)


def _rule_reasons(entry, modules, capabilities, builds, user_caps) -> list[Reason]:
    """What the ranking rules did to this module, said first: it teaches what the merchant already knows
    (so it comes after everything else), or it needs a capability they lack (and which module gives it)."""
    if entry.already_known:
        return [
            Reason("known", KNOWN_REASON.format(capabilities=_names(capabilities, np.flatnonzero(builds[entry.item]))))
        ]
    if not entry.missing_prerequisites:
        return []
    missing = _names(capabilities, entry.missing_prerequisites)
    if entry.blocked_by:
        first = modules[entry.blocked_by[0]]
        gives = [j for j in entry.missing_prerequisites if builds[entry.blocked_by[0], j]]
        template = PREREQUISITE_IN_LIST_REASON if entry.prerequisites_in_list else PREREQUISITE_OUTSIDE_REASON
        return [
            Reason(
                "prerequisites",
                template.format(title=first.title, capabilities=_names(capabilities, gives) if gives else missing),
            )
        ]
    return [Reason("prerequisites", PREREQUISITE_REASON.format(capabilities=missing))]


def _seed(context: _Context, theme: str | None) -> int:
    """Exploration is deterministic for the same inputs on the same day: reloading the page does not reshuffle,
    and two merchants with the same profile and history see the same list."""
    key = repr((context.now.date().isoformat(), sorted(context.record.items()), context.history, theme))
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")


@dataclass(frozen=True)
class RankingDetail:
    """What the ranking saw for one merchant, for the editors' "why" view: scores (catalogue order, boosts
    included), the candidates, what the merchant already knows, what they lack, and the final list."""

    modules: list
    scores: np.ndarray
    excluded: np.ndarray
    dismissed: np.ndarray
    known: np.ndarray
    missing_prerequisites: np.ndarray
    listed: list[int]


def recommend_for(
    merchant: MerchantProfile,
    *,
    limit: int = 5,
    theme: str | None = None,
    now: datetime | None = None,
    log_impressions: bool = True,
    detail: list | None = None,
) -> Recommendations:
    """The merchant's next modules, best first, with reasons; impressions are logged in one insert.

    Editors' previews pass ``log_impressions=False`` (what a merchant was shown must stay what merchants saw);
    ``detail``, when a list, receives a :class:`RankingDetail`. A given `now` is a simulated visit (demo
    traffic): always a visit of its own, never merged with an earlier identical one."""
    simulated = now is not None
    now = now or timezone.now()
    merchant = merchant_selectors.profile_with_taxonomy(merchant=merchant)
    catalogue = catalogue_snapshot()
    modules = catalogue.modules
    history = list(
        merchant_selectors.history_for_recommendation(merchant=merchant).values_list(
            "module_id", "kind", "value", "occurred_at"
        )
    )
    personalised = merchant.personalisation_consent
    maturity = selectors.latest_maturity([merchant.pk]).get(merchant.pk)
    context = _Context(merchant, modules, selectors.merchant_record(merchant, maturity), history, now)

    loaded, state = active_model()
    scores = reasons_for = None
    if loaded is not None:
        try:
            scores, reasons_for = _model_scores(loaded, context)
        except Exception as error:  # noqa: BLE001 - a scoring failure must degrade, not 500
            _warn_once(
                (state.version_id, "scoring"), "recommender version %s failed to score: %r", state.version_id, error
            )
            state = ServingState("fallback-popularity", state.version_id, "scoring-error")
    if scores is None:
        scores, strategy = _fallback_scores(modules)
        state = ServingState(strategy, state.version_id, state.reason)
        reasons_for = _fallback_reasons(strategy, modules)

    capabilities, cap_index = catalogue.capabilities, catalogue.cap_index
    user_caps = np.zeros(len(capabilities), dtype=bool)
    user_caps[[cap_index[c.pk] for c in merchant.capabilities.all() if c.pk in cap_index]] = True

    events = selectors.merchant_events(merchant)
    exclude = _exclusions(events, modules)
    completed = {module_id for module_id, kind, _value, _at in events if kind == "completed"}
    dismissed = exclude & ~np.array([m.pk in completed for m in modules], dtype=bool)
    if theme:
        exclude |= np.array([m.theme.slug != theme for m in modules], dtype=bool)
    boosts = np.array([m.boost_at(now) for m in modules])
    exploration = None
    epsilon = _setting("EXPLORATION_EPSILON")
    if epsilon > 0:
        shown = selectors.impression_counts()
        exploration = EpsilonGreedyExploration(
            impressions=np.array([shown.get(m.pk, 0) for m in modules]), epsilon=epsilon
        )
    ranking = rank(
        scores,
        exclude_mask=exclude,
        required_caps=catalogue.required,
        user_caps=user_caps,
        builds_caps=catalogue.builds,
        boosts=boosts,
        item_themes=catalogue.theme_ids,
        k=limit,
        diversity=None if theme else _setting("MAX_PER_THEME"),
        exploration=exploration,
        random_state=_seed(context, theme),
    )
    items = [entry.item for entry in ranking.entries]
    reasons = reasons_for(items, boosts) if items else {}
    results = tuple(
        Recommendation(
            rank=position,
            score=round(entry.score, 6),
            module=modules[entry.item],
            reasons=tuple(_rule_reasons(entry, modules, capabilities, catalogue.builds, user_caps))
            + tuple(reasons.get(entry.item, ())),
            missing_prerequisites=tuple(capabilities[j] for j in entry.missing_prerequisites),
            prepare_with=tuple(modules[j] for j in entry.blocked_by),
            explored=entry.explored,
        )
        for position, entry in enumerate(ranking.entries, start=1)
    )
    recommendation_id = uuid.uuid4()
    version = loaded.version if loaded is not None and not state.degraded else None
    if detail is not None:
        builds = catalogue.builds
        detail.append(
            RankingDetail(
                modules=modules,
                scores=np.asarray(scores, dtype=np.float64) + boosts,
                excluded=exclude,
                dismissed=dismissed,
                known=builds.any(axis=1) & ~(builds & ~user_caps).any(axis=1),
                missing_prerequisites=(catalogue.required & ~user_caps).any(axis=1),
                listed=items,
            )
        )
    if results and log_impressions:
        recommendation_id = services.log_impressions(
            recommendation_id=recommendation_id,
            deduplicate=not simulated,
            merchant=merchant,
            model_version_id=version.pk if version else None,
            strategy=state.strategy,
            entries=[(r.module, r.rank, r.score) for r in results],
        )
    return Recommendations(
        recommendation_id=recommendation_id,
        strategy=state.strategy,
        model_version=version,
        personalised=personalised,
        notice=None if personalised else NO_CONSENT_NOTICE,
        results=results,
        fallback_reason=state.reason,
    )
