"""The "mise en relation": partner schools, their referents and student helpers, and the missions that bring a
student to a merchant who asked for help — with their sessions, message thread and every status change.

Models hold data and invariants only; every write goes through `missions.services` (one state machine).
Figures (asked, matched, time to match, done, satisfaction) are plain fields and timestamps on `Mission`.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from merchants.models import FRENCH_POSTCODE


class Role(models.TextChoices):
    """Who acts on a mission (recorded with each status change and message)."""

    MERCHANT = "merchant", "Commerçant"
    STUDENT = "student", "Étudiant"
    REFERENT = "referent", "Référent de l'établissement"
    COORDINATOR = "coordinator", "Coordination"
    SYSTEM = "system", "Plateforme"


class Mode(models.TextChoices):
    IN_SHOP = "in_shop", "En boutique, pendant les heures d'ouverture"
    PHONE = "phone", "Par téléphone"
    VIDEO = "video", "En visio"


class School(models.Model):
    """A partner school: a vocational or technology high school, a BTS section, a higher-education course."""

    class Kind(models.TextChoices):
        VOCATIONAL = "lycee_pro", "Lycée professionnel"
        TECHNOLOGY = "lycee_techno", "Lycée technologique"
        BTS = "bts", "Section de BTS"
        HIGHER = "superieur", "Enseignement supérieur"

    name = models.CharField("nom", max_length=160, unique=True)
    kind = models.CharField("type", max_length=16, choices=Kind.choices, default=Kind.VOCATIONAL)
    postcode = models.CharField("code postal", max_length=5, blank=True, validators=[FRENCH_POSTCODE])
    created_at = models.DateTimeField("créé le", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "établissement partenaire"
        verbose_name_plural = "établissements partenaires"
        ordering = ["name"]

    def __str__(self):
        return self.name


class SchoolReferent(models.Model):
    """A teacher who follows their school's students: reads their missions, validates hours, downloads
    certificates. Neither an editor nor a merchant."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="school_referent", verbose_name="compte"
    )
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="referents", verbose_name="établissement")
    display_name = models.CharField("nom affiché", max_length=120, help_text="Par exemple « Mme Benali ».")
    created_at = models.DateTimeField("créé le", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "référent d'établissement"
        verbose_name_plural = "référents d'établissement"
        ordering = ["school__name", "display_name"]

    def __str__(self):
        return f"{self.display_name} ({self.school})"


class StudentHelper(models.Model):
    """A student of a partner school who helps merchants. Merchants only ever see the first name and the
    school: never a surname, a phone number or an e-mail address (many students are minors)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="student_helper",
        verbose_name="compte",
        help_text="Vide tant que l'étudiant n'a pas de compte (il ne peut alors pas accepter de mission).",
    )
    first_name = models.CharField("prénom", max_length=60)
    last_name = models.CharField("nom", max_length=60, blank=True)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="students", verbose_name="établissement")
    themes = models.ManyToManyField("cms.Theme", related_name="student_helpers", verbose_name="thèmes maîtrisés")
    availability = models.TextField("disponibilités", blank=True)
    max_active_missions = models.PositiveSmallIntegerField(
        "missions en cours au plus", default=2, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    active = models.BooleanField("disponible pour de nouvelles missions", default=True)
    created_at = models.DateTimeField("créé le", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "étudiant accompagnateur"
        verbose_name_plural = "étudiants accompagnateurs"
        ordering = ["first_name", "last_name"]

    def __str__(self):
        return f"{self.full_name} ({self.school})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def public_name(self) -> str:
        """What a merchant sees: the first name and the surname's initial."""
        return f"{self.first_name} {self.last_name[:1]}.".strip() if self.last_name else self.first_name


class Mission(models.Model):
    """A merchant's request for help and, once a student accepts it, the mission itself.

    The merchant's contact details are the ones they chose to share with the matched student; they are
    shown to that student only while the mission is active. After the merchant's erasure the record stays,
    anonymised (no merchant, no words of theirs, no contact): trade, arrondissement, dates, hours and rating
    for the student's certificate and the agency's figures.
    """

    class Status(models.TextChoices):
        NEW = "new", "Nouvelle"
        PROPOSED = "proposed", "Proposée à un étudiant"
        MATCHED = "matched", "Acceptée par l'étudiant"
        IN_PROGRESS = "in_progress", "En cours"
        DONE = "done", "Terminée"
        CANCELLED = "cancelled", "Annulée"

    merchant = models.ForeignKey(
        "merchants.MerchantProfile",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="missions",
        verbose_name="commerçant",
        help_text="Vide après l'effacement du compte du commerçant.",
    )
    theme = models.ForeignKey("cms.Theme", on_delete=models.PROTECT, related_name="missions", verbose_name="thème")
    module = models.ForeignKey(
        "cms.ModulePage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="module"
    )
    need = models.TextField("besoin exprimé", max_length=2000)
    availability = models.CharField("disponibilités du commerçant", max_length=300, blank=True)
    preferred_mode = models.CharField("modalité souhaitée", max_length=8, choices=Mode.choices, default=Mode.IN_SHOP)
    opening_hours = models.CharField("heures d'ouverture", max_length=200, blank=True)
    # Shared with the matched student only, only while the mission is active, only what the merchant filled.
    contact_name = models.CharField("nom du contact", max_length=120, blank=True)
    contact_phone = models.CharField("téléphone du commerce", max_length=30, blank=True)
    contact_email = models.EmailField("e-mail du commerce", blank=True)
    shop_address = models.CharField("adresse du commerce", max_length=200, blank=True)
    # Kept after erasure: they describe the mission, not the person.
    trade_label = models.CharField("activité du commerce", max_length=120, blank=True)
    arrondissement = models.CharField("arrondissement", max_length=40, blank=True)
    postcode = models.CharField("code postal", max_length=5, blank=True)

    status = models.CharField("statut", max_length=12, choices=Status.choices, default=Status.NEW)
    student = models.ForeignKey(
        StudentHelper,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="missions",
        verbose_name="étudiant",
    )
    coordinator_notes = models.TextField(
        "notes internes de la coordination", blank=True, help_text="Jamais montrées au commerçant ni à l'étudiant."
    )

    created_at = models.DateTimeField("demandée le", default=timezone.now, editable=False)
    proposed_at = models.DateTimeField("proposée le", null=True, blank=True)
    matched_at = models.DateTimeField("acceptée le", null=True, blank=True)
    started_at = models.DateTimeField("commencée le", null=True, blank=True)
    done_at = models.DateTimeField("terminée le", null=True, blank=True)
    cancelled_at = models.DateTimeField("annulée le", null=True, blank=True)
    closed_at = models.DateTimeField("clôturée le", null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        "satisfaction", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    satisfaction_comment = models.TextField("commentaire du commerçant", max_length=2000, blank=True)
    rated_at = models.DateTimeField("notée le", null=True, blank=True)
    hours_validated_at = models.DateTimeField("heures validées le", null=True, blank=True)
    hours_validated_by = models.ForeignKey(
        SchoolReferent,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="heures validées par",
    )
    counted_as_engagement = models.BooleanField("comptée pour les recommandations", default=False)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    class Meta:
        verbose_name = "mission"
        verbose_name_plural = "missions"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True) | Q(satisfaction__gte=1, satisfaction__lte=5, status="done"),
                name="mission_satisfaction_only_when_done",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="mission_status_created_idx")]

    def __str__(self):
        who = self.trade_label or "Commerce"
        where = f", {self.arrondissement}" if self.arrondissement else ""
        return f"Mission n° {self.pk} — {who}{where} · {self.theme}"

    @property
    def is_active(self) -> bool:
        """Accepted and not finished: the only time the student sees the merchant's shared contact details."""
        return self.status in {self.Status.MATCHED, self.Status.IN_PROGRESS}


class MissionTransition(models.Model):
    """One status change: from, to, who and when (the audit trail of the state machine)."""

    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField("de", max_length=12, choices=Mission.Status.choices, blank=True)
    to_status = models.CharField("à", max_length=12, choices=Mission.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="par"
    )
    actor_role = models.CharField("rôle", max_length=12, choices=Role.choices)
    student = models.ForeignKey(
        StudentHelper, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="étudiant"
    )
    reason = models.CharField("motif", max_length=300, blank=True)
    at = models.DateTimeField("le", default=timezone.now)

    class Meta:
        verbose_name = "changement de statut"
        verbose_name_plural = "changements de statut"
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.get_from_status_display() or '—'} → {self.get_to_status_display()}"


class Appointment(models.Model):
    """A session ("séance") of a mission: proposed by one side, agreed by the other, then reported by the
    student (what was set up, time spent, next step) and confirmed by the merchant as having taken place."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposée"
        SCHEDULED = "scheduled", "Planifiée"
        HELD = "held", "A eu lieu"
        CANCELLED = "cancelled", "Annulée"

    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="appointments")
    starts_at = models.DateTimeField("début")
    duration_minutes = models.PositiveSmallIntegerField(
        "durée prévue (minutes)", default=60, validators=[MinValueValidator(15), MaxValueValidator(240)]
    )
    mode = models.CharField("modalité", max_length=8, choices=Mode.choices)
    status = models.CharField("statut", max_length=10, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.CharField("proposée par", max_length=12, choices=Role.choices)
    report_done = models.TextField("ce qui a été mis en place", max_length=2000, blank=True)
    report_minutes = models.PositiveSmallIntegerField(
        "temps passé (minutes)", null=True, blank=True, validators=[MinValueValidator(5), MaxValueValidator(480)]
    )
    report_next_step = models.TextField("prochaine étape", max_length=1000, blank=True)
    reported_at = models.DateTimeField("compte rendu le", null=True, blank=True)
    merchant_confirmed_at = models.DateTimeField("confirmée par le commerçant le", null=True, blank=True)
    reminder_sent_at = models.DateTimeField("rappel envoyé le", null=True, blank=True)
    created_at = models.DateTimeField("créée le", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "séance"
        verbose_name_plural = "séances"
        ordering = ["starts_at", "id"]

    def __str__(self):
        local = timezone.localtime(self.starts_at)
        return f"Séance du {local:%d/%m/%Y à %H:%M}"


class Message(models.Model):
    """One message of a mission's thread: the only channel between merchant and student, read by the
    coordination and the student's school referent too."""

    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_role = models.CharField("rôle", max_length=12, choices=Role.choices)
    body = models.TextField("message", max_length=2000)
    created_at = models.DateTimeField("envoyé le", default=timezone.now)

    class Meta:
        verbose_name = "message"
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"Message n° {self.pk} ({self.get_author_role_display()})"


class NotificationPreference(models.Model):
    """Whether a person still wants the non-essential e-mails (session reminders, rating requests)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mission_emails")
    reminders = models.BooleanField("rappels et demandes d'avis", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "préférence d'e-mails"
        verbose_name_plural = "préférences d'e-mails"

    def __str__(self):
        return f"Préférences n° {self.pk}"
