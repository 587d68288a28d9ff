"""What the recommender owns: trained model versions and the impressions it served.

Models hold data and invariants only; writes go through `recommender.services`.
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone


class ModelVersion(models.Model):
    """One training run: its stored artifact, parameters, offline metrics, data counts and gate decision.

    At most one version is `active` (a partial unique constraint); serving always uses it.
    """

    class Status(models.TextChoices):
        CANDIDATE = "candidate", "Candidat"
        ACTIVE = "active", "Actif"
        REJECTED = "rejected", "Rejeté"
        RETIRED = "retired", "Retiré"

    created_at = models.DateTimeField("créé le", default=timezone.now)
    status = models.CharField("statut", max_length=10, choices=Status.choices, default=Status.CANDIDATE)
    activated_at = models.DateTimeField("activé le", null=True, blank=True)
    algorithm = models.CharField("algorithme", max_length=40)
    params = models.JSONField("paramètres", default=dict)
    metrics = models.JSONField(
        "métriques hors ligne", default=dict, help_text="{scénario: {modèle: {métrique: valeur}}}, baselines comprises."
    )
    data_counts = models.JSONField("volumes de données", default=dict)
    training_seconds = models.FloatField("durée d'entraînement (s)", default=0.0)
    gate = models.JSONField("décision de mise en production", default=dict)
    artifact_name = models.CharField("fichier du modèle", max_length=255, blank=True)
    artifact_sha256 = models.CharField("empreinte SHA-256", max_length=64, blank=True)
    artifact_size = models.PositiveBigIntegerField("taille (octets)", default=0)
    format_version = models.PositiveSmallIntegerField("version du format", default=1)
    engine_version = models.CharField("version du moteur", max_length=40, blank=True)

    class Meta:
        verbose_name = "version du modèle"
        verbose_name_plural = "versions du modèle"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["status"], condition=Q(status="active"), name="one_active_model_version")
        ]

    def __str__(self):
        return f"Modèle n° {self.pk} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class Impression(models.Model):
    """A module shown to a merchant at a rank, in one response identified by `recommendation_id`.

    Events the frontend sends back with the same `recommendation_id` give click-through and completion
    rates per module and per model version. An erased merchant's impressions lose the merchant (SET_NULL).
    """

    recommendation_id = models.UUIDField("identifiant de la recommandation", default=uuid.uuid4, db_index=True)
    merchant = models.ForeignKey(
        "merchants.MerchantProfile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    module = models.ForeignKey("cms.ModulePage", null=True, on_delete=models.SET_NULL, related_name="+")
    module_slug = models.SlugField("slug du module", max_length=255)
    model_version = models.ForeignKey(
        ModelVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="impressions"
    )
    strategy = models.CharField("stratégie", max_length=32)
    rank = models.PositiveSmallIntegerField("rang")
    score = models.FloatField("score")
    created_at = models.DateTimeField("affiché le", default=timezone.now)

    class Meta:
        verbose_name = "impression"
        ordering = ["-created_at", "rank"]
        indexes = [models.Index(fields=["module", "created_at"], name="impression_module_time_idx")]

    def __str__(self):
        return f"{self.module_slug} n° {self.rank}"
