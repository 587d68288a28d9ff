"""Every write about merchants: accounts and sessions, profile, diagnostic results, engagement events and
erasure (their missions are anonymised by `missions`, on the same deletion). Keyword-only functions, each under one transaction.

Errors a caller can act on are `MerchantError` subclasses; the API turns them into HTTP answers.
Logs name merchants by id only: never an email, a postcode or a business name.
"""

import hashlib
import json
import logging
import secrets
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Trunc
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from cms.models import Capability, DiagnosticQuestionnaire, Goal, ModulePage, Sector
from merchants import scoring
from merchants.models import (
    CapabilityOrigin,
    DiagnosticResult,
    EngagementEvent,
    ErasedMerchant,
    MerchantProfile,
    MerchantSession,
    SpentRefreshToken,
)

logger = logging.getLogger(__name__)

UNSET = object()


class MerchantError(Exception):
    """A request the domain refuses; `fields` names the inputs at fault when there are some."""

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields


class EmailAlreadyRegistered(MerchantError):
    pass


class InvalidCredentials(MerchantError):
    pass


class WrongPassword(MerchantError):
    pass


class InvalidRefreshToken(MerchantError):
    pass


class InvalidAnswers(MerchantError):
    pass


class InvalidResetLink(MerchantError):
    pass


class DiagnosticUnavailable(MerchantError):
    """The questionnaire cannot be scored as authored (no maturity band): editors must fix it, not the merchant."""


# --- Accounts and sessions ---------------------------------------------------------------------


def auth_setting(name: str):
    defaults = {"ACCESS_TOKEN_LIFETIME": timedelta(minutes=15), "REFRESH_TOKEN_LIFETIME": timedelta(days=30)}
    return getattr(settings, "MERCHANT_AUTH", {}).get(name, defaults.get(name))


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def password_stamp(user) -> str:
    """What a session remembers of the password it was opened under (a digest of the hash, nothing more)."""
    return hashlib.sha256(user.password.encode()).hexdigest()


def session_is_current(session: MerchantSession) -> bool:
    """False once the user's password changed after the session opened, whoever changed it and how."""
    return secrets.compare_digest(session.password_stamp, password_stamp(session.user))


def normalise_email(email: str) -> str:
    return email.strip().lower()


ADMIN_ACCESS_PERMISSION = "wagtailadmin.access_admin"


def is_merchant_user(user) -> bool:
    """Editors and users without a merchant profile never act as merchants.

    An editor is staff, a superuser, a member of any group (Wagtail hands out admin rights through groups:
    "Editors", "Moderators"…) or anyone holding `wagtailadmin.access_admin` directly. Merchants belong to no
    group, so a merchant account an editor adds to a group stops working as a merchant at the next request.
    """
    if user is None:
        return False
    # Authentication and the IsMerchant permission both ask, about the same per-request user instance: the
    # answer is kept on it. Token authentication reads the group and permission facts with the session
    # (`selectors.session_for_access_token`); other callers pay two queries here.
    cached = getattr(user, "_is_merchant_user", None)
    if cached is None:
        cached = user._is_merchant_user = (
            user.is_active
            and not user.is_staff
            and not user.is_superuser
            and hasattr(user, "merchant_profile")
            and not _in_a_group_or_admin(user)
        )
    return cached


def _in_a_group_or_admin(user) -> bool:
    known = getattr(user, "_in_a_group_or_admin", None)
    if known is not None:
        return known
    return user.groups.exists() or user.has_perm(ADMIN_ACCESS_PERMISSION)


@dataclass(frozen=True)
class IssuedTokens:
    access: str
    refresh: str
    access_expires_at: datetime
    refresh_expires_at: datetime
    session: MerchantSession = field(repr=False)


def _new_token_pair(now: datetime) -> tuple[str, str, datetime, datetime]:
    return (
        "ea_" + secrets.token_urlsafe(32),
        "er_" + secrets.token_urlsafe(32),
        now + auth_setting("ACCESS_TOKEN_LIFETIME"),
        now + auth_setting("REFRESH_TOKEN_LIFETIME"),
    )


def open_session(user) -> IssuedTokens:
    """A new signed-in device for any account allowed to hold API tokens (merchants, students, referents)."""
    now = timezone.now()
    access, refresh, access_expires_at, refresh_expires_at = _new_token_pair(now)
    session = MerchantSession.objects.create(
        user=user,
        access_digest=token_digest(access),
        access_expires_at=access_expires_at,
        refresh_digest=token_digest(refresh),
        refresh_expires_at=refresh_expires_at,
        created_at=now,
        password_stamp=password_stamp(user),
    )
    return IssuedTokens(access, refresh, access_expires_at, refresh_expires_at, session)


@transaction.atomic
def register_merchant(*, email: str, password: str, personalisation_consent: bool = False) -> IssuedTokens:
    """A new merchant account with an empty profile, signed in at once. The password is already validated."""
    email = normalise_email(email)
    user_model = get_user_model()
    if (
        user_model.objects.filter(username__iexact=email).exists()
        or user_model.objects.filter(email__iexact=email).exists()
    ):
        raise EmailAlreadyRegistered("Un compte existe déjà avec cette adresse.", {"email": ["Adresse déjà utilisée."]})
    try:
        with transaction.atomic():
            user = user_model.objects.create_user(username=email, email=email, password=password)
    except IntegrityError as error:  # a concurrent registration with the same address won
        raise EmailAlreadyRegistered(
            "Un compte existe déjà avec cette adresse.", {"email": ["Adresse déjà utilisée."]}
        ) from error
    now = timezone.now()
    MerchantProfile.objects.create(
        user=user,
        personalisation_consent=personalisation_consent,
        consent_updated_at=now,
        created_at=now,
    )
    logger.info("merchant registered user_id=%s", user.pk)
    return open_session(user)


@transaction.atomic
def log_in_merchant(*, email: str, password: str) -> IssuedTokens:
    """Tokens for a merchant; editors' accounts are refused exactly like a wrong password."""
    user = authenticate(username=normalise_email(email), password=password)
    if not is_merchant_user(user):
        logger.info("merchant login refused")
        raise InvalidCredentials("Adresse e-mail ou mot de passe incorrect.")
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    logger.info("merchant logged in user_id=%s", user.pk)
    return open_session(user)


def refresh_session(*, refresh_token: str, may_sign_in=is_merchant_user) -> IssuedTokens:
    """Rotates both tokens of a session. Any refresh token used twice ends the session (it was copied):
    every spent token of the session is remembered, not only the last one."""
    # The refusal is raised after the transaction, so ending a replayed or expired session is kept.
    with transaction.atomic():
        tokens = _rotate_session(token_digest(refresh_token), may_sign_in)
    if tokens is None:
        raise InvalidRefreshToken("Session expirée : reconnectez-vous.")
    return tokens


def _rotate_session(digest: str, may_sign_in) -> IssuedTokens | None:
    now = timezone.now()
    session = MerchantSession.objects.select_for_update().select_related("user").filter(refresh_digest=digest).first()
    if session is None:
        replayed = MerchantSession.objects.filter(spent_refresh_tokens__digest=digest)
        for session_id in replayed.values_list("pk", flat=True):
            logger.warning("merchant refresh token replayed; session ended session_id=%s", session_id)
        replayed.delete()  # its spent tokens go with it
        return None
    if session.refresh_expires_at <= now or not may_sign_in(session.user) or not session_is_current(session):
        session.delete()
        return None
    access, refresh, access_expires_at, refresh_expires_at = _new_token_pair(now)
    # A spent token older than the refresh lifetime would have expired anyway: no need to remember it.
    session.spent_refresh_tokens.filter(created_at__lt=now - auth_setting("REFRESH_TOKEN_LIFETIME")).delete()
    SpentRefreshToken.objects.create(session=session, digest=session.refresh_digest, created_at=now)
    session.access_digest = token_digest(access)
    session.access_expires_at = access_expires_at
    session.refresh_digest = token_digest(refresh)
    session.refresh_expires_at = refresh_expires_at
    session.refreshed_at = now
    session.save()
    return IssuedTokens(access, refresh, access_expires_at, refresh_expires_at, session)


@transaction.atomic
def log_out(*, session: MerchantSession, everywhere: bool = False) -> None:
    if everywhere:
        MerchantSession.objects.filter(user_id=session.user_id).delete()
    else:
        MerchantSession.objects.filter(pk=session.pk).delete()


@transaction.atomic
def change_password(*, merchant: MerchantProfile, current_password: str, new_password: str) -> IssuedTokens:
    """Sets a new (already validated) password, ends every session, and opens a fresh one for this device."""
    user = merchant.user
    if not user.check_password(current_password):
        raise WrongPassword("Le mot de passe actuel est incorrect.", {"current_password": ["Mot de passe incorrect."]})
    user.set_password(new_password)
    user.save(update_fields=["password"])
    MerchantSession.objects.filter(user=user).delete()
    logger.info("merchant changed password user_id=%s", user.pk)
    return open_session(user)


class _ResetTokens(PasswordResetTokenGenerator):
    """Django's reset tokens (HMAC of the user's id, password hash, last login and a timestamp): a token stops
    working once the password changes (single use) and after PASSWORD_RESET_TIMEOUT seconds."""

    key_salt = "eleasud.merchants.password-reset"


reset_tokens = _ResetTokens()


def merchant_for_email(email: str):
    """The merchant user with this address (never an editor), or None."""
    user = get_user_model().objects.filter(username__iexact=normalise_email(email)).first()
    return user if is_merchant_user(user) else None


def password_reset_link(*, user, base_url: str) -> str:
    """The link of the reset e-mail. uid and token travel in the fragment: never sent to a server, never in a
    Referer header or an access log."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return f"{base_url.rstrip('/')}/app/mot-de-passe/nouveau/#uid={uid}&token={reset_tokens.make_token(user)}"


def request_password_reset(*, email: str, base_url: str) -> None:
    """Queues the reset e-mail. Whether the address has an account is decided in the task, so the answer and its
    timing are the same either way; nothing is sent to an unknown address."""
    from merchants.tasks import send_password_reset_email

    send_password_reset_email.enqueue(email=normalise_email(email), base_url=base_url)


@transaction.atomic
def reset_password(*, uid: str, token: str, new_password: str) -> IssuedTokens:
    """Sets the new password if the link is valid, ends every session and signs this device in."""
    try:
        pk = int(urlsafe_base64_decode(uid).decode())
    except (ValueError, TypeError, UnicodeDecodeError):
        pk = None
    user = get_user_model().objects.select_for_update().filter(pk=pk).first() if pk else None
    if not is_merchant_user(user) or not reset_tokens.check_token(user, token):
        raise InvalidResetLink("Ce lien n'est plus valable : il a déjà servi ou il a expiré. Demandez-en un nouveau.")
    try:
        validate_password(new_password, user=user)
    except DjangoValidationError as error:
        raise MerchantError("Ce mot de passe ne convient pas.", {"new_password": list(error.messages)}) from error
    user.set_password(new_password)
    user.last_login = timezone.now()
    user.save(update_fields=["password", "last_login"])
    MerchantSession.objects.filter(user=user).delete()
    logger.info("merchant reset password user_id=%s", user.pk)
    return open_session(user)


# --- Profile -----------------------------------------------------------------------------------


@transaction.atomic
def update_profile(
    *,
    merchant: MerchantProfile,
    business_name: str = UNSET,
    sector: Sector | None = UNSET,
    size_band: str = UNSET,
    postcode: str = UNSET,
    capabilities: Iterable[Capability] = UNSET,
    goals: Iterable[Goal] = UNSET,
    personalisation_consent: bool = UNSET,
) -> MerchantProfile:
    """Changes the given fields only. Consent changes are timestamped and take effect at once."""
    for name, value in (
        ("business_name", business_name),
        ("sector", sector),
        ("size_band", size_band),
        ("postcode", postcode),
    ):
        if value is not UNSET:
            setattr(merchant, name, value)
    if personalisation_consent is not UNSET and personalisation_consent != merchant.personalisation_consent:
        merchant.personalisation_consent = personalisation_consent
        merchant.consent_updated_at = timezone.now()
        logger.info("merchant consent changed user_id=%s consent=%s", merchant.user_id, personalisation_consent)
    merchant.full_clean(exclude=["user", "capabilities", "goals"])
    merchant.save()
    if capabilities is not UNSET:
        capabilities = list(capabilities)
        before = set(merchant.capabilities.values_list("pk", flat=True))
        merchant.capabilities.set(capabilities)
        after = {capability.pk for capability in capabilities}
        CapabilityOrigin.objects.filter(merchant=merchant, capability_id__in=before - after).delete()
        _record_origins(
            merchant=merchant,
            capability_ids=after - before,
            source=CapabilityOrigin.Source.DECLARED,
            since=timezone.now(),
        )
    if goals is not UNSET:
        merchant.goals.set(goals)
    return merchant


def _record_origins(*, merchant, capability_ids, source, since, diagnostic=None, module=None) -> None:
    CapabilityOrigin.objects.bulk_create(
        [
            CapabilityOrigin(
                merchant=merchant,
                capability_id=capability_id,
                source=source,
                since=since,
                diagnostic=diagnostic,
                module=module,
                module_slug=module.slug if module else "",
            )
            for capability_id in capability_ids
        ],
        ignore_conflicts=True,  # a capability keeps its first origin
    )


@transaction.atomic
def add_capabilities(
    *, merchant: MerchantProfile, capability_ids, source: str, since: datetime, diagnostic=None, module=None
) -> set[int]:
    """Adds capabilities to the profile with their origin (`CapabilityOrigin`); those already held keep theirs.
    Returns the ids actually added."""
    new = set(capability_ids) - set(merchant.capabilities.values_list("pk", flat=True))
    if new:
        merchant.capabilities.add(*new)
        _record_origins(
            merchant=merchant, capability_ids=new, source=source, since=since, diagnostic=diagnostic, module=module
        )
    return new


# --- Self-diagnostic ---------------------------------------------------------------------------


def questionnaire_as_scoring_data(
    questionnaire: DiagnosticQuestionnaire,
) -> tuple[list[scoring.Question], list[scoring.Band]]:
    questions = [
        scoring.Question(
            slug=question.slug,
            theme=question.theme.slug,
            kind=question.kind,
            scored=question.scored,
            excluded_sectors=tuple(sector.slug for sector in question.excluded_sectors.all()),
            answers=tuple(
                scoring.Answer(
                    slug=answer.slug,
                    score=answer.score,
                    capabilities=tuple(capability.slug for capability in answer.capabilities.all()),
                    exclusive=answer.exclusive,
                    label=answer.label,
                )
                for answer in question.answers.all()
            ),
        )
        for question in questionnaire.questions.all()
    ]
    bands = [
        scoring.Band(slug=band.slug, label=band.label, min_score=band.min_score, message=band.message)
        for band in questionnaire.bands.all()
    ]
    return questions, bands


def questionnaire_rules(
    questionnaire: DiagnosticQuestionnaire,
) -> tuple[list[scoring.Conflict], list[scoring.WarningRule]]:
    conflicts = [scoring.Conflict(answers=tuple(c["answers"]), message=c["message"]) for c in questionnaire.conflicts]
    rules = [
        scoring.WarningRule(
            slug=r["slug"],
            title=r["title"],
            message=r["message"],
            module=r.get("module", ""),
            when_all=tuple(r.get("when_all", ())),
            when_any=tuple(r.get("when_any", ())),
            unless_any=tuple(r.get("unless_any", ())),
        )
        for r in questionnaire.warning_rules
    ]
    return conflicts, rules


@transaction.atomic
def record_diagnostic(
    *,
    merchant: MerchantProfile,
    questionnaire: DiagnosticQuestionnaire,
    answers: dict[str, list[str]],
    sector: Sector | None = None,
) -> DiagnosticResult:
    """Scores and keeps one run of the diagnostic, with the legal warnings it raises; the capabilities it detects
    are added to the profile (never removed: what the merchant declared stays theirs to change).

    `sector` (default: the profile's) decides which questions apply; given, it is saved to the profile too."""
    if sector is not None and sector != merchant.sector:
        merchant.sector = sector
        merchant.save(update_fields=["sector", "updated_at"])
    sector_slug = merchant.sector.slug if merchant.sector_id else None
    questions, bands = questionnaire_as_scoring_data(questionnaire)
    conflicts, rules = questionnaire_rules(questionnaire)
    if not bands:
        logger.error("diagnostic questionnaire has no maturity band questionnaire_id=%s", questionnaire.pk)
        raise DiagnosticUnavailable(
            "L'autodiagnostic est momentanément indisponible : nos équipes ont été prévenues. Réessayez plus tard."
        )
    try:
        score = scoring.score_diagnostic(
            questions, bands, answers, sector=sector_slug, conflicts=conflicts, warning_rules=rules
        )
    except scoring.InvalidAnswers as error:
        raise InvalidAnswers("Certaines réponses sont manquantes ou invalides.", error.errors) from error
    result = DiagnosticResult.objects.create(
        merchant=merchant,
        questionnaire=questionnaire,
        questionnaire_slug=questionnaire.slug,
        answers={q.slug: list(answers[q.slug]) for q in questions if q.slug not in score.skipped_questions},
        theme_scores=score.theme_scores,
        overall_score=score.overall_score,
        band_slug=score.band.slug,
        band_label=score.band.label,
        capabilities_detected=list(score.capabilities),
        warnings=list(score.warnings),
        sector_slug=sector_slug or "",
    )
    if score.capabilities:
        add_capabilities(
            merchant=merchant,
            capability_ids=Capability.objects.filter(slug__in=score.capabilities).values_list("pk", flat=True),
            source=CapabilityOrigin.Source.DETECTED,
            since=result.created_at,
            diagnostic=result,
        )
    return result


# --- Engagement events -------------------------------------------------------------------------

EVENTS_MAX_FUTURE = timedelta(minutes=5)
EVENTS_MAX_AGE = timedelta(days=365)
Kind = EngagementEvent.Kind


@dataclass(frozen=True)
class EventInput:
    """One event as the client sent it (shape already checked)."""

    event_id: uuid.UUID
    module: str
    kind: str
    value: int | None = None
    occurred_at: datetime | None = None
    recommendation_id: uuid.UUID | None = None

    def fingerprint(self) -> str:
        """Identifies the payload as sent (occurred_at absent stays absent), so a retry matches itself."""
        occurred_at = self.occurred_at.astimezone(UTC).isoformat() if self.occurred_at else None
        payload = [self.module, self.kind, self.value, occurred_at, str(self.recommendation_id or "")]
        return hashlib.sha256(json.dumps(payload).encode()).hexdigest()


@dataclass(frozen=True)
class EventOutcome:
    event_id: str | None
    status: str  # created, duplicate, conflict, invalid
    errors: dict[str, list[str]] | None = None


def step_count(module: ModulePage) -> int:
    return sum(1 for block in module.body if block.block_type == "step")


def _event_errors(event: EventInput, module: ModulePage | None, now: datetime) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if module is None:
        errors["module"] = [f"Aucun module publié ne porte le nom « {event.module} »."]
    if event.kind == Kind.RATED:
        if event.value is None or not 1 <= event.value <= 5:
            errors["value"] = ["Une note va de 1 à 5."]
    elif event.kind in (Kind.STEP_COMPLETED, Kind.STEP_UNCOMPLETED):
        if event.value is None or event.value < 0:
            errors["value"] = ["Indiquez l'index de l'étape (0 pour la première)."]
        elif module is not None and event.value >= (steps := step_count(module)):
            errors["value"] = [f"Ce module a {steps} étape(s) : l'index va de 0 à {steps - 1}."]
    elif event.value is not None:
        errors["value"] = ["Ce type d'événement ne prend pas de valeur."]
    if event.occurred_at is not None:
        if event.occurred_at > now + EVENTS_MAX_FUTURE:
            errors["occurred_at"] = ["La date est dans le futur : vérifiez l'horloge de l'appareil."]
        elif event.occurred_at < now - EVENTS_MAX_AGE:
            errors["occurred_at"] = ["La date a plus d'un an."]
    return errors


@transaction.atomic
def record_events(*, merchant: MerchantProfile, events: Sequence[EventInput]) -> list[EventOutcome]:
    """Stores each valid event exactly once, whatever the retries; one outcome per input, in order.

    A known `event_id` with the same payload is a `duplicate` (acknowledged, not stored again); with a
    different payload it is a `conflict`. Completed modules add the capabilities they build to the profile.
    """
    now = timezone.now()
    modules = {
        module.slug: module
        for module in ModulePage.objects.live().public().filter(slug__in={event.module for event in events})
    }
    ids = [event.event_id for event in events]
    stored_before = dict(
        EngagementEvent.objects.filter(merchant=merchant, event_id__in=ids).values_list(
            "event_id", "payload_fingerprint"
        )
    )

    outcomes: list[EventOutcome | None] = []
    to_insert: dict[uuid.UUID, EngagementEvent] = {}
    fingerprints: list[str] = []
    for event in events:
        fingerprint = event.fingerprint()
        fingerprints.append(fingerprint)
        known = stored_before.get(event.event_id) or (
            to_insert[event.event_id].payload_fingerprint if event.event_id in to_insert else None
        )
        if known is not None:
            outcomes.append(_outcome_for_known(event, known, fingerprint))
            continue
        module = modules.get(event.module)
        errors = _event_errors(event, module, now)
        if errors:
            outcomes.append(EventOutcome(str(event.event_id), "invalid", errors))
            continue
        to_insert[event.event_id] = EngagementEvent(
            merchant=merchant,
            module=module,
            module_slug=module.slug,
            kind=event.kind,
            value=event.value,
            occurred_at=event.occurred_at or now,
            received_at=now,
            event_id=event.event_id,
            recommendation_id=event.recommendation_id,
            payload_fingerprint=fingerprint,
        )
        outcomes.append(None)  # decided once the rows are in

    stored_after: dict[uuid.UUID, str] = {}
    if to_insert:
        # A concurrent request may insert the same ids between our read and this write: the unique
        # constraint keeps one row and we classify against what is stored afterwards.
        EngagementEvent.objects.bulk_create(to_insert.values(), ignore_conflicts=True)
        stored_after = dict(
            EngagementEvent.objects.filter(merchant=merchant, event_id__in=list(to_insert)).values_list(
                "event_id", "payload_fingerprint"
            )
        )
    created: list[EngagementEvent] = []
    for index, event in enumerate(events):
        if outcomes[index] is not None:
            continue
        if stored_after.get(event.event_id) == fingerprints[index]:
            outcomes[index] = EventOutcome(str(event.event_id), "created")
            created.append(to_insert[event.event_id])
        else:
            outcomes[index] = _outcome_for_known(event, stored_after.get(event.event_id, ""), fingerprints[index])

    completions = sorted(
        ((event.occurred_at, event.module) for event in created if event.kind == Kind.COMPLETED),
        key=lambda pair: pair[0],
    )
    if completions:
        built = defaultdict(set)
        for module_id, capability_id in Capability.objects.filter(
            built_by__in={module.pk for _, module in completions}
        ).values_list("built_by", "pk"):
            built[module_id].add(capability_id)
        for occurred_at, module in completions:  # the earliest completion gives each capability its origin
            add_capabilities(
                merchant=merchant,
                capability_ids=built[module.pk],
                source=CapabilityOrigin.Source.ACQUIRED,
                since=occurred_at,
                module=module,
            )
    return outcomes


def _outcome_for_known(event: EventInput, stored_fingerprint: str, fingerprint: str) -> EventOutcome:
    if stored_fingerprint == fingerprint:
        return EventOutcome(str(event.event_id), "duplicate")
    return EventOutcome(
        str(event.event_id),
        "conflict",
        {"event_id": ["Cet identifiant a déjà servi pour un autre événement."]},
    )


# --- RGPD erasure ------------------------------------------------------------------------------


def anonymise_merchant_traces(*, user) -> int:
    """What must not outlive a merchant's account, whichever way the account is deleted; returns the number
    of events anonymised. Idempotent, and a no-op for users without a merchant profile (editors).

    - Events lose the merchant, get a fresh random `event_id` (the client's id could link them back to a
      device's queue), keep the day only and lose their payload fingerprint (a hash of the exact time,
      recoverable by brute force) and their `recommendation_id` (it tied them to each other and to the
      recommender's impressions, which have exact times); module, kind and value stay for statistics.
      Anonymised rows have no merchant, so the duplicate detection (per merchant) never reads them again.
    - Events and diagnostics (scores, band and detected capabilities only: answers emptied, the day only) are
      attached to one `ErasedMerchant` (sector, size band, postcode, nothing else), so the agency's aggregates
      of past periods keep counting them; the observatory publishes no cell under k merchants.
    - Staff's admin history about the merchant's records, and about the Django user itself (Wagtail's Users
      admin labels those entries with the username, i.e. the email), is deleted; so are the user's Django
      sessions (a merchant who once signed in at /admin/ has one) and failed admin sign-ins under the email.

    Called by `erase_merchant` and, for deletion paths we do not own (Wagtail's Users admin, the shell), by the
    `pre_delete` receiver on the user model (merchants/apps.py).
    """
    from wagtail.models import ModelLogEntry  # non-page log entries (users, snippets, our viewsets)

    merchant = MerchantProfile.objects.filter(user_id=user.pk).first()
    if merchant is None:
        return 0
    stand_in = _erased_stand_in(merchant)
    anonymised = []
    for event in EngagementEvent.objects.filter(merchant=merchant).only("pk"):
        event.merchant = None
        event.erased_merchant = stand_in
        event.event_id = uuid.uuid4()
        event.payload_fingerprint = ""
        event.recommendation_id = None
        anonymised.append(event)
    EngagementEvent.objects.bulk_update(
        anonymised,
        ["merchant", "erased_merchant", "event_id", "payload_fingerprint", "recommendation_id"],
        batch_size=500,
    )
    EngagementEvent.objects.filter(pk__in=[event.pk for event in anonymised]).update(
        occurred_at=Trunc("occurred_at", "day", tzinfo=UTC),
        received_at=Trunc("received_at", "day", tzinfo=UTC),
    )
    # Diagnostics keep their scores for the observatory, without the answers or the hour.
    diagnostic_ids = list(merchant.diagnostics.values_list("pk", flat=True))
    DiagnosticResult.objects.filter(pk__in=diagnostic_ids).update(
        merchant=None, erased_merchant=stand_in, answers={}, created_at=Trunc("created_at", "day", tzinfo=UTC)
    )
    for model, ids in (
        (get_user_model(), [user.pk]),
        (MerchantProfile, [merchant.pk]),
        (DiagnosticResult, diagnostic_ids),
    ):
        ModelLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id__in=[str(pk) for pk in ids]
        ).delete()
    _delete_django_sessions(user)
    return len(anonymised)


def _delete_django_sessions(user) -> None:
    """Django's own sessions of the user (the admin's) and failed admin sign-ins under their address. Session
    rows are decoded one by one: only live sessions are read, and those are the admin's few."""
    from axes.models import AccessAttempt
    from django.contrib.sessions.models import Session

    user_key = str(user.pk)
    stale = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get("_auth_user_id") == user_key
    ]
    Session.objects.filter(pk__in=stale).delete()
    AccessAttempt.objects.filter(username__iexact=user.get_username()).delete()


def _erased_stand_in(merchant: MerchantProfile) -> ErasedMerchant | None:
    """The merchant's anonymised stand-in for the aggregates, made once: the pre_delete receiver calls
    `anonymise_merchant_traces` again for the same user, and finds the events and diagnostics already moved."""
    has_traces = merchant.diagnostics.exists() or EngagementEvent.objects.filter(merchant=merchant).exists()
    if not has_traces:
        return None
    return ErasedMerchant.objects.create(
        sector_id=merchant.sector_id, size_band=merchant.size_band, postcode=merchant.postcode
    )


@transaction.atomic
def erase_merchant(*, merchant: MerchantProfile, password: str | None = None) -> None:
    """Deletes the account, profile and sessions; anonymises events and diagnostics for good (see
    `anonymise_merchant_traces`) and, through the missions app's own pre_delete receiver, the missions. With
    `password` (the merchant's own request), it must be the account's."""
    user = merchant.user
    if password is not None and not user.check_password(password):
        raise WrongPassword("Le mot de passe est incorrect.", {"password": ["Mot de passe incorrect."]})
    user_id = user.pk
    anonymised = anonymise_merchant_traces(user=user)
    # Cascades to the profile, sessions and diagnostics. The pre_delete receivers run anonymise_merchant_traces
    # again (nothing left to do) and missions' anonymise_merchant_missions.
    user.delete()
    logger.info("merchant erased user_id=%s events_anonymised=%s", user_id, anonymised)
