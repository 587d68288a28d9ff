from django.apps import AppConfig


class RecommenderConfig(AppConfig):
    name = "recommender"
    verbose_name = "Recommandations"
    default_auto_field = "django.db.models.BigAutoField"
