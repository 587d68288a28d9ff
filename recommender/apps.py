from django.apps import AppConfig
from django.db.models.signals import pre_delete


def forget_impressions_before_profile_deletion(sender, instance, **kwargs):
    """Data-protection guard, like merchants' own: whichever path deletes a merchant (the API's erasure, the
    admin, the shell), their impressions stop linking to anything they kept."""
    from recommender.services import forget_impressions_link

    forget_impressions_link(merchant=instance)


class RecommenderConfig(AppConfig):
    name = "recommender"
    verbose_name = "Recommandations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        pre_delete.connect(
            forget_impressions_before_profile_deletion,
            sender="merchants.MerchantProfile",
            dispatch_uid="recommender.forget_impressions_before_profile_deletion",
        )
