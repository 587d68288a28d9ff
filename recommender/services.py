"""Writes of the recommender: storing and activating model versions, logging impressions."""

import hashlib
import logging
import uuid
from collections.abc import Sequence

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from recommender import artifacts
from recommender.cache_keys import IMPRESSIONS_CACHE_KEY, POPULARITY_CACHE_KEY
from recommender.models import Impression, ModelVersion

logger = logging.getLogger(__name__)


@transaction.atomic
def activate_version(*, version: ModelVersion) -> ModelVersion:
    """Makes `version` the one active version; the previous one is retired. Every worker sees it at its next
    request (serving reads the active id from the database each time)."""
    ModelVersion.objects.select_for_update().filter(status=ModelVersion.Status.ACTIVE).exclude(pk=version.pk).update(
        status=ModelVersion.Status.RETIRED
    )
    version.status = ModelVersion.Status.ACTIVE
    version.activated_at = timezone.now()
    version.save(update_fields=["status", "activated_at"])
    logger.info("recommender model version %s activated", version.pk)
    return version


@transaction.atomic
def store_model_version(
    *,
    artifact: artifacts.Artifact,
    algorithm: str,
    params: dict,
    metrics: dict,
    data_counts: dict,
    training_seconds: float,
    gate: dict,
    engine_version: str,
    activate: bool,
) -> ModelVersion:
    """Writes the artifact to shared storage, records the version, and activates it when the gate said so."""
    name, digest, size = artifacts.dump(artifact, name_hint=f"{timezone.now():%Y%m%d-%H%M%S}-{algorithm.split()[0]}")
    version = ModelVersion.objects.create(
        algorithm=algorithm,
        params=params,
        metrics=metrics,
        data_counts=data_counts,
        training_seconds=training_seconds,
        gate=gate,
        artifact_name=name,
        artifact_sha256=digest,
        artifact_size=size,
        format_version=artifacts.FORMAT_VERSION,
        engine_version=engine_version,
        status=ModelVersion.Status.CANDIDATE if activate else ModelVersion.Status.REJECTED,
    )
    if activate:
        activate_version(version=version)
    return version


def log_impressions(
    *,
    recommendation_id: uuid.UUID,
    merchant,
    model_version_id: int | None,
    strategy: str,
    entries: Sequence[tuple[object, int, float]],
    deduplicate: bool = True,
) -> uuid.UUID:
    """One bulk insert for the whole response: `entries` are `(module, rank, score)`. Returns the response's
    recommendation id: `recommendation_id`, or — when the merchant was shown this same ranking less than
    RECOMMENDATION_IMPRESSION_DEDUP_SECONDS ago — the id of that earlier response, and nothing is written
    (reloading a page must not inflate impressions; events then point at the impressions actually logged)."""
    ranking = "|".join(f"{module.pk}:{rank}" for module, rank, _score in entries)
    fingerprint = hashlib.sha256(f"{merchant.pk}|{model_version_id}|{strategy}|{ranking}".encode()).hexdigest()
    key = f"recommender:shown:{fingerprint}"
    dedup_seconds = getattr(settings, "RECOMMENDATION_IMPRESSION_DEDUP_SECONDS", 600)
    if deduplicate and dedup_seconds and cache.add(key, str(recommendation_id), dedup_seconds) is False:
        earlier = cache.get(key)
        if earlier is not None:
            return uuid.UUID(earlier)
    now = timezone.now()
    Impression.objects.bulk_create(
        [
            Impression(
                recommendation_id=recommendation_id,
                merchant=merchant,
                module=module,
                module_slug=module.slug,
                model_version_id=model_version_id,
                strategy=strategy,
                rank=rank,
                score=score,
                created_at=now,
            )
            for module, rank, score in entries
        ]
    )
    return recommendation_id


@transaction.atomic
def stamp_simulated_impressions(*, recommendation_id: uuid.UUID, simulated_id: uuid.UUID, shown_at) -> int:
    """Demo traffic only: the impressions of one real response take a deterministic id and the simulated
    time they were shown, so replaying the same traffic is recognised and no event precedes its impression.
    Returns how many impressions were stamped."""
    return Impression.objects.filter(recommendation_id=recommendation_id).update(
        recommendation_id=simulated_id, created_at=shown_at
    )


def forget_cached_aggregates() -> None:
    """Drops the cached popularity and exposure counts (tests, and after seeding demo data)."""
    cache.delete_many([POPULARITY_CACHE_KEY, IMPRESSIONS_CACHE_KEY])


def forget_impressions_link(*, merchant) -> int:
    """Before a merchant's profile is deleted: each of their responses gets a fresh random recommendation id
    (the merchant link itself is cleared by `Impression.merchant`'s SET_NULL), so an id the merchant kept,
    in an export for instance, leads nowhere. Rank, module and time stay for the editors' figures. Returns
    the number of responses relinked."""
    ids = list(Impression.objects.filter(merchant=merchant).values_list("recommendation_id", flat=True).distinct())
    for recommendation_id in ids:
        Impression.objects.filter(merchant=merchant, recommendation_id=recommendation_id).update(
            recommendation_id=uuid.uuid4()
        )
    return len(ids)
