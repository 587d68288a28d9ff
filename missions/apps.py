from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import pre_delete


def anonymise_missions_before_user_deletion(sender, instance, **kwargs):
    """Like merchants' guard: whichever way a merchant's account is deleted, their missions are anonymised."""
    from missions.services import anonymise_merchant_missions

    anonymise_merchant_missions(user=instance)


class MissionsConfig(AppConfig):
    name = "missions"
    verbose_name = "Missions d'accompagnement"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        pre_delete.connect(
            anonymise_missions_before_user_deletion,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid="missions.anonymise_missions_before_user_deletion",
        )
