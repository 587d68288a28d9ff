from django.apps import AppConfig


class MerchantsConfig(AppConfig):
    name = "merchants"
    verbose_name = "Commerçants"
    default_auto_field = "django.db.models.BigAutoField"
