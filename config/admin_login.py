"""The lockout of the admin's sign-in (django-axes): editors and staff sign in at /admin/login/ with a
password, which must not be an unlimited oracle."""

from axes.backends import AxesStandaloneBackend


class AdminLoginLockout(AxesStandaloneBackend):
    """Axes' backend for sign-ins that come with a request (the admin's login form). The API's merchant login
    calls `authenticate()` without one and is throttled by its own rate (api/authentication.py); plain Axes
    would refuse such calls outright."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
