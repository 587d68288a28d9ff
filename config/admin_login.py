"""The lockout of the admin's sign-in (django-axes): editors and staff sign in at /admin/login/ with a
password, which must not be an unlimited oracle."""

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler


class AdminLoginLockout(AxesStandaloneBackend):
    """Axes' backend for sign-ins that come with a request (the admin's login form). The API's merchant login
    calls `authenticate()` without one and is throttled by its own rate (api/authentication.py); plain Axes
    would refuse such calls outright."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class AdminLoginAttempts(AxesDatabaseHandler):
    """Axes' database handler, quiet about sign-ins without a request (the API's merchant login, throttled on
    its own): plain Axes logs an ERROR for each of those failures."""

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        if request is None:
            return
        super().user_login_failed(sender, credentials, request=request, **kwargs)
