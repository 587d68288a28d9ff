"""How merchants authenticate: `Authorization: Bearer <access token>`, an opaque token looked up (hashed)
in the database on every request, so logout, a password change or an erased account take effect at once.
Also the throttles of the sign-in and password endpoints and the OpenAPI description of the scheme."""

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, throttling

from config.cache_backends import FailoverCache
from merchants import selectors
from merchants.services import is_merchant_user, normalise_email, token_digest
from missions.services import is_member


class MerchantTokenAuthentication(authentication.BaseAuthentication):
    """Sets `request.user` to the merchant's user and `request.auth` to their `MerchantSession`.

    Staff and users without a merchant profile are refused even with a valid token: an editor's account
    never acts as a merchant.
    """

    keyword = "bearer"
    accepts = staticmethod(is_merchant_user)

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("En-tête Authorization invalide : « Bearer <jeton> » attendu.")
        try:
            token = header[1].decode("ascii")
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed("Jeton invalide ou expiré.") from error
        session = selectors.session_for_access_token(token)
        if session is None or not self.accepts(session.user):
            raise exceptions.AuthenticationFailed("Jeton invalide ou expiré.", code="token_invalid")
        return session.user, session

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


def client_ip(request) -> str:
    """The client's address as every throttle and lockout sees it: REMOTE_ADDR, or the address the
    `NUM_PROXIES` trusted proxies put in X-Forwarded-For (DRF's rule, so a client cannot pick its own)."""
    return throttling.BaseThrottle().get_ident(request)


class MemberTokenAuthentication(MerchantTokenAuthentication):
    """The same opaque tokens for the students' and referents' space (/api/v1/espace/): only a student's or a
    referent's account is accepted, never a merchant's or an editor's."""

    accepts = staticmethod(is_member)


class MerchantAuthThrottle(throttling.SimpleRateThrottle):
    """Registration, login and password reset, per client IP (MERCHANT_AUTH["THROTTLE_RATE"])."""

    scope = "merchant_auth"
    # Brute-force protection must outlive a Redis outage: a per-process fallback (config/cache_backends.py).
    cache = FailoverCache()

    def get_rate(self):
        return getattr(settings, "MERCHANT_AUTH", {}).get("THROTTLE_RATE", "10/minute")

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class MerchantPasswordThrottle(MerchantAuthThrottle):
    """Password change, per signed-in merchant (same rate as sign-in): a stolen access token must not become
    an unlimited oracle for guessing the current password. Keyed on the user id, so changing IP does not help."""

    scope = "merchant_password"

    def get_cache_key(self, request, view):
        if not getattr(request.user, "pk", None):
            return None  # unreachable behind IsMerchant; never throttle everyone under one key
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class MerchantResetEmailThrottle(MerchantAuthThrottle):
    """Password-reset requests per e-mail address (MERCHANT_AUTH["RESET_EMAIL_RATE"]), on top of the per-IP rate:
    nobody can flood one mailbox. Keyed on a digest of the address, whether or not it has an account."""

    scope = "merchant_reset_email"

    def get_rate(self):
        return getattr(settings, "MERCHANT_AUTH", {}).get("RESET_EMAIL_RATE", "3/hour")

    def get_cache_key(self, request, view):
        email = request.data.get("email") if isinstance(request.data, dict) else None
        if not isinstance(email, str) or not email.strip():
            return None  # the serializer refuses it
        return self.cache_format % {"scope": self.scope, "ident": token_digest(normalise_email(email))}


def _refresh_session_id(request) -> int | None:
    """The session a posted refresh token belongs to (looked up once per request), or None."""
    if not hasattr(request, "_refresh_session_id"):
        token = request.data.get("refresh") if isinstance(request.data, dict) else None
        request._refresh_session_id = (
            selectors.session_id_for_refresh_token(token) if isinstance(token, str) and len(token) <= 200 else None
        )
    return request._refresh_session_id


class MerchantRefreshThrottle(MerchantAuthThrottle):
    """Refresh with a token of a live session, per session (MERCHANT_AUTH["REFRESH_THROTTLE_RATE"]).

    Not per IP: a workshop of merchants behind one Wi-Fi router shares an address, and each of their sessions
    must be able to refresh. A token that belongs to no session is left to `MerchantRefreshGuessThrottle`."""

    scope = "merchant_refresh"

    def get_rate(self):
        return getattr(settings, "MERCHANT_AUTH", {}).get("REFRESH_THROTTLE_RATE", "12/minute")

    def get_cache_key(self, request, view):
        session_id = _refresh_session_id(request)
        if session_id is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": session_id}


class MerchantRefreshGuessThrottle(MerchantAuthThrottle):
    """Refresh with an unknown, expired or spent token, per client IP at the sign-in rate: guessing stays slow."""

    scope = "merchant_refresh_unknown"

    def get_cache_key(self, request, view):
        if _refresh_session_id(request) is not None:
            return None
        return super().get_cache_key(request, view)


class MerchantTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.MerchantTokenAuthentication"
    name = "merchantToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "Opaque access token from /api/v1/auth/login/ (or register/refresh), valid 15 minutes; "
                "renew it with the refresh token at /api/v1/auth/refresh/."
            ),
        }


class MemberTokenScheme(MerchantTokenScheme):
    target_class = "api.authentication.MemberTokenAuthentication"
    name = "memberToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "Students' and school referents' opaque access token from /api/v1/espace/auth/login/ "
                "(15 minutes); renew it at /api/v1/espace/auth/refresh/."
            ),
        }
