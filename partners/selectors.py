"""Reads about partner API keys."""

from django.db.models import QuerySet

from partners.models import PartnerApiKey
from partners.services import key_digest


def active_key(secret: str) -> PartnerApiKey | None:
    return PartnerApiKey.objects.filter(digest=key_digest(secret), revoked_at__isnull=True).first()


def keys() -> QuerySet[PartnerApiKey]:
    return PartnerApiKey.objects.select_related("created_by").order_by("-created_at")
