"""How merchants authenticate: `Authorization: Bearer <access token>`, an opaque token looked up (hashed)
in the database on every request, so logout, a password change or an erased account take effect at once.
Also the throttles of the sign-in and password endpoints and the OpenAPI description of the scheme."""

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, throttling

from merchants import selectors
from merchants.services import is_merchant_user
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


class MemberTokenAuthentication(MerchantTokenAuthentication):
    """The same opaque tokens for the students' and referents' space (/api/v1/espace/): only a student's or a
    referent's account is accepted, never a merchant's or an editor's."""

    accepts = staticmethod(is_member)


class MerchantAuthThrottle(throttling.SimpleRateThrottle):
    """Registration, login and refresh, per client IP (MERCHANT_AUTH["THROTTLE_RATE"])."""

    scope = "merchant_auth"

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
