from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import pre_delete


def anonymise_before_user_deletion(sender, instance, **kwargs):
    """Data-protection guard: a merchant's user deleted by any path leaves no personal trace behind."""
    from merchants.services import anonymise_merchant_traces

    anonymise_merchant_traces(user=instance)


class MerchantsConfig(AppConfig):
    name = "merchants"
    verbose_name = "Commerçants"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Why a signal, when every other write goes through merchants.services: a merchant's user can be
        # deleted by code we do not own — Wagtail's Users admin (a plain `user.delete()`), the Django shell, a
        # queryset delete. Without this guard those paths would keep the client's event ids, exact timestamps
        # and payload fingerprints, and the admin log entries labelled with the email. `erase_merchant` calls
        # the same service itself (the receiver then finds nothing left to do). pre_delete runs inside the
        # deletion's transaction, before the profile is cascaded away.
        pre_delete.connect(
            anonymise_before_user_deletion,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid="merchants.anonymise_before_user_deletion",
        )
