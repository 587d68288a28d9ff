"""Issuing and revoking partner API keys (keyword-only, transactional)."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from partners.models import PartnerApiKey

KEY_PREFIX = "esp_"


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def issue_partner_key(*, name: str, created_by=None) -> tuple[PartnerApiKey, str]:
    """A new key for `name`; returns the stored key and the secret, shown once and never stored."""
    name = name.strip()
    if not name:
        raise ValueError("Nommez le partenaire.")
    prefix = secrets.token_hex(4)
    secret = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    key = PartnerApiKey.objects.create(name=name, prefix=prefix, digest=key_digest(secret), created_by=created_by)
    return key, secret


@transaction.atomic
def revoke_partner_key(*, key: PartnerApiKey) -> PartnerApiKey:
    """Idempotent: revoking twice keeps the first date."""
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key
