"""Merchants' data: their profile, sign-in sessions, self-diagnostic results and engagement events (their
help requests are missions, in `missions`). Models hold data and invariants only; writes go through `merchants.services`."""

from django.conf import settings
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

# Metropolitan départements 01–95 (Corsica is 20xxx), overseas 97xxx and 98xxx. 00xxx, 96xxx, 99xxx do not exist.
FRENCH_POSTCODE = RegexValidator(
    r"^(?:0[1-9]|[1-8]\d|9[0-5]|97|98)\d{3}$",
    "Saisissez un code postal français à 5 chiffres (par exemple 13001).",
    code="invalid_postcode",
)


class SizeBand(models.TextChoices):
    """How many people work in the shop, owner included: fixed bands, not a taxonomy editors extend."""

    ALONE = "seul", "Seul(e)"
    FROM_2_TO_5 = "2-5", "De 2 à 5 personnes"
    FROM_6_TO_10 = "6-10", "De 6 à 10 personnes"
    FROM_11_TO_49 = "11-49", "De 11 à 49 personnes"


class MerchantProfile(models.Model):
    """A merchant: one Django user (email as username, never staff) and what they tell us about the shop."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="merchant_profile", verbose_name="compte"
    )
    business_name = models.CharField("nom du commerce", max_length=160, blank=True)
    sector = models.ForeignKey(
        "cms.Sector", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="secteur"
    )
    size_band = models.CharField("taille", max_length=8, choices=SizeBand.choices, blank=True)
    postcode = models.CharField("code postal", max_length=5, blank=True, validators=[FRENCH_POSTCODE])
    capabilities = models.ManyToManyField(
        "cms.Capability", blank=True, related_name="+", verbose_name="compétences numériques acquises"
    )
    goals = models.ManyToManyField("cms.Goal", blank=True, related_name="+", verbose_name="objectifs")
    personalisation_consent = models.BooleanField("accepte la personnalisation", default=False)
    consent_updated_at = models.DateTimeField("consentement donné ou retiré le", null=True, blank=True)
    created_at = models.DateTimeField("créé le", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "commerçant"
        ordering = ["-created_at"]

    def __str__(self):
        # No personal data: this string lands in admin history and log entries.
        return f"Commerçant n° {self.pk}"


class MerchantSession(models.Model):
    """One signed-in device: an opaque access token and a rotating refresh token, stored as SHA-256 digests.

    The tokens are 256-bit random strings, so a fast digest is enough: nothing to brute-force, and a
    leaked database holds no usable token.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="merchant_sessions")
    access_digest = models.CharField(max_length=64, unique=True)
    access_expires_at = models.DateTimeField()
    refresh_digest = models.CharField(max_length=64, unique=True)
    refresh_expires_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    # A digest of the user's password hash when the session opened: any password change, by any path (the API,
    # the admin, a reset, the shell, even a queryset update), makes every older session's tokens invalid.
    password_stamp = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = "session commerçant"

    def __str__(self):
        return f"Session n° {self.pk}"


class SpentRefreshToken(models.Model):
    """A refresh token a session has already rotated away from (its digest only).

    Presenting any of them again means a copy is in someone else's hands: the session is ended. Every spent
    token is kept (not only the last one), so a copy replayed several rotations later is still caught; rows
    older than the refresh lifetime are pruned at rotation, and all of them go with their session.
    """

    session = models.ForeignKey(MerchantSession, on_delete=models.CASCADE, related_name="spent_refresh_tokens")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "jeton de renouvellement utilisé"
        verbose_name_plural = "jetons de renouvellement utilisés"

    def __str__(self):
        return f"Jeton utilisé n° {self.pk}"


class ErasedMerchant(models.Model):
    """What stays of an erased merchant, for the agency's aggregates only: the slice they counted in (sector,
    size band, postcode) and the day of erasure — no account, name, e-mail or answer. Their diagnostics
    (scores only) and events point here, so the observatory's figures for past periods do not change when
    someone leaves. Read by `reporting` only, where cells under k merchants are suppressed."""

    sector = models.ForeignKey(
        "cms.Sector", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="secteur"
    )
    size_band = models.CharField("taille", max_length=8, choices=SizeBand.choices, blank=True)
    postcode = models.CharField("code postal", max_length=5, blank=True)
    erased_on = models.DateField("effacé le", default=timezone.localdate)

    class Meta:
        verbose_name = "commerçant effacé (anonymisé)"
        verbose_name_plural = "commerçants effacés (anonymisés)"

    def __str__(self):
        return f"Commerçant effacé n° {self.pk}"


class DiagnosticResult(models.Model):
    """One run of the self-diagnostic; every run is kept so progress over time can be drawn. An erased
    merchant's results stay, scores only, attached to their `ErasedMerchant`."""

    merchant = models.ForeignKey(
        MerchantProfile,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="diagnostics",
        verbose_name="commerçant",
    )
    erased_merchant = models.ForeignKey(
        ErasedMerchant, null=True, blank=True, on_delete=models.CASCADE, related_name="diagnostics", editable=False
    )
    questionnaire = models.ForeignKey(
        "cms.DiagnosticQuestionnaire", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    questionnaire_slug = models.SlugField(max_length=80)
    answers = models.JSONField("réponses", help_text="{slug de question: [slugs de réponses]}")
    theme_scores = models.JSONField("scores par thème", help_text="{slug de thème: score sur 100}")
    overall_score = models.PositiveSmallIntegerField("score global", validators=[MaxValueValidator(100)])
    band_slug = models.SlugField("niveau", max_length=40)
    band_label = models.CharField("libellé du niveau", max_length=80)
    capabilities_detected = models.JSONField("compétences détectées", default=list)
    # Legal obligations the answers reveal ({slug, title, message, module}), kept with the run so the agency's
    # figures can count them later without re-scoring old answers against a changed questionnaire.
    warnings = models.JSONField("alertes d'obligations légales", default=list, blank=True)
    sector_slug = models.SlugField("secteur pris en compte", max_length=80, blank=True)
    created_at = models.DateTimeField("passé le", default=timezone.now)

    class Meta:
        verbose_name = "résultat d'autodiagnostic"
        verbose_name_plural = "résultats d'autodiagnostic"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(overall_score__lte=100), name="diagnostic_overall_score_at_most_100")
        ]

    def __str__(self):
        return f"Autodiagnostic n° {self.pk}"


class CapabilityOrigin(models.Model):
    """Where a capability of the profile comes from, and since when: what training needs to featurise each past
    interaction with what the merchant had *before* it (docs/RECOMMENDER.md, "point in time").

    One row per capability the profile holds: the first way it got there. Declared by the merchant (profile
    form), detected by a diagnostic (which one), or acquired by completing a module (which one). Removing the
    capability from the profile removes the row. Personal data: in the export, deleted with the profile.
    """

    class Source(models.TextChoices):
        DECLARED = "declared", "Déclarée par le commerçant"
        DETECTED = "detected", "Détectée par l'autodiagnostic"
        ACQUIRED = "acquired", "Acquise en terminant un module"

    merchant = models.ForeignKey(
        MerchantProfile, on_delete=models.CASCADE, related_name="capability_origins", verbose_name="commerçant"
    )
    capability = models.ForeignKey(
        "cms.Capability", on_delete=models.CASCADE, related_name="+", verbose_name="compétence"
    )
    source = models.CharField("origine", max_length=10, choices=Source.choices)
    diagnostic = models.ForeignKey(
        "DiagnosticResult",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="autodiagnostic",
    )
    module = models.ForeignKey(
        "cms.ModulePage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="module"
    )
    # Kept so the origin still names the module if editors delete the page.
    module_slug = models.SlugField("slug du module", max_length=255, blank=True)
    since = models.DateTimeField("depuis le")

    class Meta:
        verbose_name = "origine d'une compétence"
        verbose_name_plural = "origines des compétences"
        constraints = [
            models.UniqueConstraint(fields=["merchant", "capability"], name="one_origin_per_merchant_capability")
        ]

    def __str__(self):
        return f"Origine de compétence n° {self.pk}"


class EngagementEvent(models.Model):
    """Something a merchant did with a module, sent by the frontend with its own `event_id`.

    An erased merchant's events stay, anonymised (no merchant, a fresh random `event_id`, the day only, no
    payload fingerprint), so module statistics and the recommender's popularity do not change when someone leaves.
    """

    class Kind(models.TextChoices):
        VIEWED = "viewed", "Consulté"
        STARTED = "started", "Commencé"
        STEP_COMPLETED = "step_completed", "Étape terminée"
        COMPLETED = "completed", "Terminé"
        RATED = "rated", "Noté"
        DISMISSED = "dismissed", "Pas pour moi"
        BOOKMARKED = "bookmarked", "Mis de côté"
        UNBOOKMARKED = "unbookmarked", "Retiré des favoris"
        STEP_UNCOMPLETED = "step_uncompleted", "Étape décochée"
        UNDISMISSED = "undismissed", "« Pas pour moi » annulé"

    merchant = models.ForeignKey(
        MerchantProfile,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
        verbose_name="commerçant",
        help_text="Vide pour un événement anonymisé après l'effacement d'un compte.",
    )
    module = models.ForeignKey(
        "cms.ModulePage",
        null=True,
        on_delete=models.SET_NULL,
        related_name="engagement_events",
        verbose_name="module",
    )
    # An erased merchant's events point to their anonymised stand-in, for the observatory's aggregates.
    erased_merchant = models.ForeignKey(
        "ErasedMerchant", null=True, blank=True, on_delete=models.SET_NULL, related_name="events", editable=False
    )
    # Kept so the history still names the module if editors delete the page.
    module_slug = models.SlugField("slug du module", max_length=255)
    kind = models.CharField("type", max_length=16, choices=Kind.choices)
    value = models.SmallIntegerField(
        "valeur", null=True, blank=True, help_text="La note (1 à 5) ou l'index de l'étape terminée (à partir de 0)."
    )
    occurred_at = models.DateTimeField("survenu le")
    received_at = models.DateTimeField("reçu le", default=timezone.now)
    event_id = models.UUIDField("identifiant client")
    # Indexed: the editors' report joins recommender impressions to events by it.
    recommendation_id = models.UUIDField("recommandation d'origine", null=True, blank=True, db_index=True)
    # SHA-256 of the payload as sent, to tell a retry from a conflict; blanked on erasure (it hashes the
    # exact time, which could be recovered by brute force), where no duplicate detection is needed any more.
    payload_fingerprint = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = "événement d'usage"
        verbose_name_plural = "événements d'usage"
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "event_id"], name="unique_event_per_merchant"),
            models.CheckConstraint(
                condition=(
                    Q(kind="rated", value__gte=1, value__lte=5)
                    | Q(kind__in=["step_completed", "step_uncompleted"], value__gte=0)
                    | (~Q(kind__in=["rated", "step_completed", "step_uncompleted"]) & Q(value__isnull=True))
                ),
                name="event_value_fits_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["merchant", "occurred_at"], name="event_merchant_time_idx"),
            models.Index(fields=["module", "kind"], name="event_module_kind_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.module_slug}"
