"""Forms of the Wagtail admin that concern merchants' accounts."""

from wagtail.admin.forms.auth import PasswordResetForm


class EditorPasswordResetForm(PasswordResetForm):
    """/admin/password_reset/ is for editors: merchants reset through their own flow (POST
    /api/v1/auth/password-reset/), so no admin reset e-mail ever goes to a merchant's address. The page
    answers the same whatever the address, as Django's does."""

    def get_users(self, email):
        return (user for user in super().get_users(email) if not hasattr(user, "merchant_profile"))
