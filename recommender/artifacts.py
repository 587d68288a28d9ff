"""Model artifacts: the fitted estimators and everything serving needs to map ids, in one file.

An artifact is a joblib pickle written by our own training job only (`train_recommender`). Unpickling
runs code, so an artifact is never loaded before its SHA-256 matches the digest stored in the database
row that names it: a file changed on the shared storage, truncated or swapped is refused, not executed.
The format version guards against loading a layout this code does not understand.

Storage is Django's `default_storage` (FileSystemStorage under MEDIA_ROOT locally; any shared storage
in production), so every API worker on every machine can load the active version.
"""

import hashlib
import io
from dataclasses import dataclass, field

import joblib
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from recommender.defaults import RECOMMENDER_DEFAULTS

#: Bump when the artifact's layout changes; serving refuses other versions (and falls back).
FORMAT_VERSION = 1


class ArtifactError(Exception):
    """The artifact cannot be used; `reason` is a short code for logs and /readyz."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


@dataclass
class Artifact:
    """What `train_recommender` stores and serving loads."""

    model: object  # a fitted engine estimator (HybridRecommender in production)
    merchant_featurizer: object
    module_featurizer: object
    module_slugs: tuple[str, ...]  # column order of the model's items
    capability_slugs: tuple[str, ...]
    theme_slugs: tuple[str, ...]
    algorithm: str
    format_version: int = FORMAT_VERSION
    extra: dict = field(default_factory=dict)


def _directory() -> str:
    return settings.RECOMMENDER.get("ARTIFACT_DIR", RECOMMENDER_DEFAULTS["ARTIFACT_DIR"]).strip("/")


def dump(artifact: Artifact, *, name_hint: str) -> tuple[str, str, int]:
    """Writes the artifact; returns `(storage name, sha256, size)`."""
    buffer = io.BytesIO()
    joblib.dump(artifact, buffer, compress=3)
    payload = buffer.getvalue()
    digest = hashlib.sha256(payload).hexdigest()
    name = default_storage.save(f"{_directory()}/{name_hint}-{digest[:12]}.joblib", ContentFile(payload))
    return name, digest, len(payload)


def load(name: str, *, sha256: str) -> Artifact:
    """Reads, verifies and unpickles an artifact, or raises `ArtifactError`."""
    if not name:
        raise ArtifactError("artifact-missing", "no artifact recorded for this version")
    try:
        with default_storage.open(name, "rb") as handle:
            payload = handle.read()
    except (FileNotFoundError, OSError) as error:
        raise ArtifactError("artifact-missing", f"artifact {name} cannot be read: {error}") from error
    if hashlib.sha256(payload).hexdigest() != sha256:
        raise ArtifactError("checksum-mismatch", f"artifact {name} does not match its recorded SHA-256")
    try:
        artifact = joblib.load(io.BytesIO(payload))
    except Exception as error:  # noqa: BLE001 - verified bytes that still fail to unpickle: an engine change
        raise ArtifactError("artifact-incompatible", f"artifact {name} cannot be unpickled: {error}") from error
    if not isinstance(artifact, Artifact) or getattr(artifact, "format_version", None) != FORMAT_VERSION:
        raise ArtifactError("format-incompatible", f"artifact {name} is not in format {FORMAT_VERSION}")
    return artifact


def delete(name: str) -> None:
    if name and default_storage.exists(name):
        default_storage.delete(name)
