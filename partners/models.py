"""API keys for the agency's partners (the city, the metropolis, the region, schools): they read the
observatory's aggregates through /api/v1/observatory/ and nothing else."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class PartnerApiKey(models.Model):
    """One key, stored as the SHA-256 digest of a 256-bit random secret (nothing to brute-force, and a leaked
    database holds no usable key); the prefix identifies it in lists and logs."""

    class Scope(models.TextChoices):
        READ_AGGREGATES = "aggregates:read", "Lecture des agrégats de l'observatoire"

    name = models.CharField(
        "partenaire", max_length=160, help_text="Par exemple : Ville de Marseille, service économie."
    )
    prefix = models.CharField("préfixe", max_length=12, unique=True, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    scope = models.CharField("droits", max_length=32, choices=Scope.choices, default=Scope.READ_AGGREGATES)
    created_at = models.DateTimeField("créée le", default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="créée par",
    )
    revoked_at = models.DateTimeField("révoquée le", null=True, blank=True)

    class Meta:
        verbose_name = "clé d'API partenaire"
        verbose_name_plural = "clés d'API partenaires"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None
