"""Training from the ORM: the data as it stands → features → held-out evaluation → a stored `ModelVersion`.

`train_model_version` is what `manage.py train_recommender` runs. The promotion gate activates the new
version only if, on the same held-out split, it beats the popularity baseline and is not worse than the
active version (whose configuration is re-fitted on the new training split; see docs/RECOMMENDER.md).
When there is an active version whose score cannot be known (neither re-fitted nor stored), the gate
refuses: only `--force` replaces a version nobody can compare against.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
import sklearn
from django.conf import settings
from sklearn.base import clone

from recommender import artifacts, selectors, services
from recommender.defaults import RECOMMENDER_DEFAULTS
from recommender.engine import evaluation
from recommender.engine.features import MerchantFeaturizer, ModuleFeaturizer, domain_interactions
from recommender.engine.timeline import ProfileTimeline, first_event_times
from recommender.engine.weights import DEFAULT_EVENT_WEIGHTS, EVENT_DTYPE, interactions_from_events, last_event_times
from recommender.models import ModelVersion

logger = logging.getLogger(__name__)

#: What `--model` accepts: the names of `engine.evaluation.default_models` ("hybrid" is production's).
ALGORITHMS = tuple(evaluation.default_models())
#: The documented event weights (see docs/RECOMMENDER.md): started or better is a positive.
EVENT_WEIGHTS = DEFAULT_EVENT_WEIGHTS
GATE_TOLERANCE = 1e-9


class NotEnoughData(Exception):
    pass


@dataclass
class TrainingData:
    taxonomy: object
    module_ids: list[int]
    module_slugs: tuple[str, ...]
    merchant_ids: list[int]
    merchant_featurizer: MerchantFeaturizer
    module_featurizer: ModuleFeaturizer
    user_features: np.ndarray
    item_features: np.ndarray
    X: sp.csr_matrix
    times: sp.csr_matrix
    feature_pairs: np.ndarray
    segment_columns: np.ndarray
    counts: dict = field(default_factory=dict)
    #: point-in-time profiles: what each merchant had before each interaction (``engine.timeline``)
    timeline: ProfileTimeline | None = None


def load_training_data(*, min_merchants: int | None = None, min_events: int | None = None) -> TrainingData:
    """Reads the taxonomy, the published catalogue, consenting merchants' events and their profiles.

    Raises `NotEnoughData` below the minimums (settings.RECOMMENDER MIN_MERCHANTS / MIN_EVENTS).
    """
    config = settings.RECOMMENDER
    min_merchants = (
        config.get("MIN_MERCHANTS", RECOMMENDER_DEFAULTS["MIN_MERCHANTS"]) if min_merchants is None else min_merchants
    )
    min_events = config.get("MIN_EVENTS", RECOMMENDER_DEFAULTS["MIN_EVENTS"]) if min_events is None else min_events

    taxonomy = selectors.current_taxonomy()
    modules = selectors.catalogue()
    module_index = {module.pk: i for i, module in enumerate(modules)}
    merchant_of_event, events = _event_arrays(selectors.training_events(), module_index)
    merchant_ids = np.unique(merchant_of_event).tolist()
    if len(merchant_ids) < min_merchants or events.size < min_events or len(modules) < 2:
        raise NotEnoughData(
            f"Not enough data to train: {len(merchant_ids)} consenting merchant(s) with events and "
            f"{events.size} event(s) on {len(modules)} published module(s); at least {min_merchants} merchants, "
            f"{min_events} events and 2 modules are needed. Locally: `manage.py seed_demo_merchants`."
        )
    events["user"] = np.searchsorted(np.asarray(merchant_ids), merchant_of_event)
    n_users, n_items = len(merchant_ids), len(modules)
    X, _dismissed = interactions_from_events(events, n_users=n_users, n_items=n_items, weights=EVENT_WEIGHTS)
    times = last_event_times(events, n_users=n_users, n_items=n_items)

    records = selectors.merchant_records(merchant_ids)
    merchant_featurizer = MerchantFeaturizer().fit(taxonomy)
    module_featurizer = ModuleFeaturizer().fit(taxonomy)
    user_features = merchant_featurizer.transform([records[m] for m in merchant_ids])
    timeline = _profile_timeline(
        merchant_ids, user_features, merchant_featurizer, taxonomy, module_index, events, n_items=n_items
    )
    item_features = module_featurizer.transform([selectors.module_record(module) for module in modules])
    return TrainingData(
        taxonomy=taxonomy,
        module_ids=[module.pk for module in modules],
        module_slugs=tuple(module.slug for module in modules),
        merchant_ids=merchant_ids,
        merchant_featurizer=merchant_featurizer,
        module_featurizer=module_featurizer,
        user_features=user_features,
        item_features=item_features,
        X=X,
        times=times,
        feature_pairs=domain_interactions(merchant_featurizer, module_featurizer),
        segment_columns=merchant_featurizer.columns("sector"),
        timeline=timeline,
        counts={
            "merchants": n_users,
            "modules": n_items,
            "events": int(events.size),
            "interactions": int(X.nnz),
            "positive_interactions": int((X.data >= 2.0).sum()),
            "user_features": int(user_features.shape[1]),
            "item_features": int(item_features.shape[1]),
        },
    )


#: Rows read from the database per batch while filling the event arrays (memory stays bounded by the arrays).
EVENT_BATCH = 50_000


def _event_arrays(rows, module_index: dict[int, int]):
    """`(merchant id per event, EVENT_DTYPE array with item indices)` from one query's rows, filled batch by
    batch into numpy arrays (no list of every row); events on modules outside the catalogue are dropped."""
    merchants_parts, event_parts = [], []
    batch = []

    def flush():
        if not batch:
            return
        block = np.zeros(len(batch), dtype=EVENT_DTYPE)
        merchant = np.fromiter((row[0] for row in batch), dtype=np.int64, count=len(batch))
        block["item"] = np.fromiter((module_index.get(row[1], -1) for row in batch), dtype=np.int64, count=len(batch))
        block["kind"] = [row[2] for row in batch]
        block["value"] = np.fromiter(
            (np.nan if row[3] is None else row[3] for row in batch), dtype=np.float64, count=len(batch)
        )
        block["occurred_at"] = np.fromiter((row[4].timestamp() for row in batch), dtype=np.float64, count=len(batch))
        keep = block["item"] >= 0
        merchants_parts.append(merchant[keep])
        event_parts.append(block[keep])
        batch.clear()

    for row in rows.iterator(chunk_size=EVENT_BATCH) if hasattr(rows, "iterator") else rows:
        batch.append(row)
        if len(batch) >= EVENT_BATCH:
            flush()
    flush()
    if not event_parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=EVENT_DTYPE)
    return np.concatenate(merchants_parts), np.concatenate(event_parts)


def _epoch(value) -> float:
    return value.timestamp() if value is not None else np.inf


def _profile_timeline(merchant_ids, user_features, merchant_featurizer, taxonomy, module_index, events, *, n_items):
    """Since when each merchant has each capability and which module brought it (`CapabilityOrigin`), and when
    they first took the diagnostic: the point-in-time profiles training featurises past interactions with.
    A capability on a profile without a recorded origin (older data) counts as held from the start."""
    row_of = {merchant_id: i for i, merchant_id in enumerate(merchant_ids)}
    cap_of = {slug: j for j, slug in enumerate(taxonomy.capabilities)}
    has_columns = merchant_featurizer.columns("has")
    since = np.where(user_features[:, has_columns] > 0, -np.inf, np.inf)
    source_item = np.full(since.shape, -1, dtype=np.intp)
    for merchant_id, slug, source, at, module_id in selectors.capability_origins(merchant_ids):
        i, j = row_of.get(merchant_id), cap_of.get(slug)
        if i is None or j is None or not since[i, j] < np.inf:
            continue
        since[i, j] = _epoch(at)
        if source == "acquired" and module_id in module_index:
            source_item[i, j] = module_index[module_id]
    diagnosed = selectors.first_diagnostic_times(merchant_ids)
    return ProfileTimeline(
        features=user_features,
        has_columns=has_columns,
        lacks_columns=merchant_featurizer.columns("lacks"),
        capability_since=since,
        capability_module=source_item,
        maturity_columns=merchant_featurizer.columns("maturity"),
        maturity_since=np.array([_epoch(diagnosed.get(m)) for m in merchant_ids]),
        unknown_maturity=float(merchant_featurizer.unknown_maturity),
        first_times=first_event_times(events, n_users=len(merchant_ids), n_items=n_items),
    )


def models_for(data: TrainingData, *, seed: int = 0) -> dict:
    return evaluation.default_models(
        feature_pairs=data.feature_pairs, segment_columns=data.segment_columns, random_state=seed
    )


@dataclass
class Splits:
    train: sp.csr_matrix
    tests: dict  # scenario → held-out matrix


def held_out_splits(data: TrainingData, *, seed: int = 0, test_fraction=0.2, cold_fraction=0.2) -> Splits:
    """Cold-start users (all their history held out), then a random share of each other user's history."""
    rest, cold_test, _cold = evaluation.cold_start_split(data.X, user_fraction=cold_fraction, random_state=seed)
    train, warm_test = evaluation.random_holdout(rest, test_fraction=test_fraction, random_state=seed)
    return Splits(train=train, tests={"warm": warm_test, "cold": cold_test})


def table_to_metrics(table) -> dict:
    """`{scenario: {model: {metric: value, "users": n}}}` from an engine `ComparisonTable`."""
    metrics: dict = {}
    for row in table.rows:
        values = {key: value for key, value in row.items() if key not in ("scenario", "model")}
        metrics.setdefault(row["scenario"], {})[row["model"]] = values
    return metrics


def evaluate_models(data: TrainingData, *, models: dict, k: int = 5, seed: int = 0, temporal: bool = True):
    """Fits each model on the held-out splits and returns `(metrics, tables)`; same splits for every model."""
    splits = held_out_splits(data, seed=seed)
    features = dict(user_features=data.timeline, item_features=data.item_features, k=k, random_state=seed)
    tables = [evaluation.evaluate(models, splits.train, splits.tests, **features)]
    if temporal:
        train, test = evaluation.temporal_leave_last_k_out(data.X, data.times, k=1)
        tables.append(evaluation.evaluate(models, train, {"temporal": test}, **features))
    metrics: dict = {}
    for table in tables:
        for scenario, by_model in table_to_metrics(table).items():
            metrics[scenario] = by_model
    return metrics, tables, splits


@dataclass(frozen=True)
class ActiveScore:
    """The active version's NDCG@k for the gate; `version` None when no version is active. With an active
    version, `score` None means it could not be determined: the gate then refuses (unless forced)."""

    version: ModelVersion | None
    score: float | None
    note: str

    @property
    def unknown(self) -> bool:
        return self.version is not None and self.score is None


def _finite(value) -> float | None:
    return float(value) if isinstance(value, (int, float, np.number)) and np.isfinite(value) else None


def _active_score_on(data, splits, *, k, seed, candidate_features_match) -> ActiveScore:
    """NDCG@k of the active version on the new warm split: its configuration re-fitted on the new training
    split (re-scoring the stored fit would grade it on data it learnt from). Falls back to its stored metric
    when its features no longer match the taxonomy or it cannot be re-fitted (documented: then the splits
    differ); without that metric either, the score is unknown."""
    active = ModelVersion.objects.filter(status=ModelVersion.Status.ACTIVE).first()
    if active is None:
        return ActiveScore(None, None, "no active version")
    metric = f"ndcg@{k}"
    stored = _finite((active.metrics or {}).get("warm", {}).get(active.algorithm, {}).get(metric))

    def from_stored(why: str) -> ActiveScore:
        if stored is not None:
            return ActiveScore(active, stored, f"version {active.pk}: stored metric ({why})")
        return ActiveScore(
            active,
            None,
            f"version {active.pk}: score unknown ({why}, and no stored warm {metric} for {active.algorithm})",
        )

    try:
        artifact = artifacts.load(active.artifact_name, sha256=active.artifact_sha256)
        if not candidate_features_match(artifact):
            return from_stored("taxonomy changed since")
        table = evaluation.evaluate(
            {"active": clone(artifact.model)},
            splits.train,
            {"warm": splits.tests["warm"]},
            k=k,
            user_features=data.timeline,
            item_features=data.item_features,
            baselines=False,
            random_state=seed,
        )
        score = _finite(table.rows[0][metric])
        if score is None:
            return from_stored("re-fitted score undefined")
        return ActiveScore(active, score, f"version {active.pk} re-fitted on the same split")
    except Exception as error:  # noqa: BLE001 - an unusable active version falls back to its stored metric
        logger.warning("active model version %s could not be re-evaluated: %s", active.pk, error)
        return from_stored(error.__class__.__name__)


def describe_params(estimator) -> dict:
    """Hyper-parameters as plain JSON: nested estimators described the same way, arrays by their shape."""
    described = {"class": type(estimator).__name__}
    for key, value in estimator.get_params(deep=False).items():
        if value is None or isinstance(value, (bool, int, float, str)):
            described[key] = value
        elif hasattr(value, "get_params"):
            described[key] = describe_params(value)
        elif isinstance(value, np.ndarray):
            described[key] = f"array{value.shape}"
        else:
            described[key] = repr(value)[:120]
    return described


def json_safe(value):
    """NaN (a metric with no evaluated user) → None: PostgreSQL's jsonb has no NaN."""
    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(item) for item in value]
    if isinstance(value, (float, np.floating)):
        return None if not np.isfinite(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


@dataclass
class TrainingOutcome:
    version: ModelVersion
    metrics: dict
    tables: list
    gate: dict


def train_model_version(
    *,
    algorithm: str = "hybrid",
    force: bool = False,
    k: int = 5,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> TrainingOutcome:
    """Reads, evaluates, fits on all data, stores the artifact and a `ModelVersion`, applies the gate."""
    if algorithm not in ALGORITHMS:
        raise ValueError(f"algorithm must be one of {ALGORITHMS}")
    step = progress or (lambda label: None)
    started = time.perf_counter()
    data = load_training_data()
    step("data read")

    models = models_for(data, seed=seed)
    metrics, tables, splits = evaluate_models(data, models=models, k=k, seed=seed)
    step("offline evaluation")

    names = lambda a: tuple(a.merchant_featurizer.feature_names_) + tuple(a.module_featurizer.feature_names_)  # noqa: E731
    current_names = tuple(data.merchant_featurizer.feature_names_) + tuple(data.module_featurizer.feature_names_)
    active = _active_score_on(
        data, splits, k=k, seed=seed, candidate_features_match=lambda artifact: names(artifact) == current_names
    )
    step("comparison with the active version")

    model = clone(models[algorithm]).fit(data.X, user_features=data.timeline, item_features=data.item_features)
    step("fit on all the data")

    metric = f"ndcg@{k}"
    candidate = metrics["warm"][algorithm][metric]
    popularity = metrics["warm"]["popularity"][metric]
    beats_popularity = candidate > popularity + GATE_TOLERANCE
    # No active version: nothing to be worse than. An active version of unknown score: not provably not worse.
    not_worse = active.version is None or (active.score is not None and candidate >= active.score - GATE_TOLERANCE)
    if active.unknown:
        logger.warning(
            "the active model version %s cannot be compared with the candidate (%s): %s",
            active.version.pk,
            active.note,
            "activating the candidate anyway (--force)"
            if force
            else "promotion refused; use --force to activate the candidate anyway",
        )
    gate = {
        "metric": f"{metric} (warm, held-out)",
        "candidate": candidate,
        "popularity": popularity,
        "popularity_by_sector": metrics["warm"].get("popularity (secteur)", {}).get(metric),
        "active": active.score,
        "active_version": active.version.pk if active.version else None,
        "active_note": active.note,
        "active_score_unknown": active.unknown,
        "beats_popularity": beats_popularity,
        "not_worse_than_active": not_worse,
        "forced": force,
        "activated": force or (beats_popularity and not_worse),
    }
    summary = {
        scenario: {name: {key: row[key] for key in (metric, f"recall@{k}") if key in row} for name, row in by.items()}
        for scenario, by in metrics.items()
    }
    artifact = artifacts.Artifact(
        model=model,
        merchant_featurizer=data.merchant_featurizer,
        module_featurizer=data.module_featurizer,
        module_slugs=data.module_slugs,
        capability_slugs=tuple(data.taxonomy.capabilities),
        theme_slugs=tuple(data.taxonomy.themes),
        algorithm=algorithm,
        extra={"event_weights": dict(EVENT_WEIGHTS.__dict__)},
    )
    version = services.store_model_version(
        artifact=artifact,
        algorithm=algorithm,
        params={**describe_params(model), "k": k, "seed": seed, "event_weights": EVENT_WEIGHTS.__dict__},
        metrics=json_safe({**metrics, "summary": summary}),
        data_counts=data.counts,
        training_seconds=time.perf_counter() - started,
        gate=json_safe(gate),
        engine_version=f"scikit-learn {sklearn.__version__}, numpy {np.__version__}",
        activate=gate["activated"],
    )
    step("version stored")
    return TrainingOutcome(version=version, metrics=metrics, tables=tables, gate=gate)
