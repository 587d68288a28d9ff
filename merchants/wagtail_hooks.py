"""Admin for staff: merchants, diagnostics and engagement events to browse (read-only). Help requests are
missions, in the missions app's own admin."""

from django.contrib.auth import get_user_model
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permission_policies import ModelPermissionPolicy

from merchants.models import DiagnosticResult, EngagementEvent, MerchantProfile


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    """Staff may look (with the model's "view" permission) but never add, change or delete."""

    forbidden = frozenset({"add", "change", "delete"})

    def user_has_permission(self, user, action):
        return action not in self.forbidden and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions):
        allowed = [action for action in actions if action not in self.forbidden]
        if not allowed:
            return get_user_model().objects.none()
        return super().users_with_any_permission(allowed)


class ReadOnlyViewSet(ModelViewSet):
    # Not in Wagtail's reference index (the admin's "usage" of content): these are operational records, and
    # indexing them ran the index's extraction on every event, session and profile saved through the API and
    # turned every bulk delete into one query per row.
    add_to_reference_index = False
    inspect_view_enabled = True
    copy_view_enabled = False
    search_backend_name = None  # plain database search, these models are not in the search index

    @property
    def permission_policy(self):
        return ReadOnlyPermissionPolicy(self.model)


class MerchantProfileViewSet(ReadOnlyViewSet):
    model = MerchantProfile
    url_prefix = "merchants/profiles"
    icon = "user"
    menu_label = "Commerçants"
    list_display = ["__str__", "business_name", "sector", "size_band", "postcode", "personalisation_consent"]
    list_filter = ["sector", "size_band", "personalisation_consent"]
    search_fields = ["business_name", "postcode"]
    form_fields = ["business_name"]
    inspect_view_fields = [
        "user",  # the email address, to contact the merchant about a help request
        "business_name",
        "sector",
        "size_band",
        "postcode",
        "capabilities",
        "goals",
        "personalisation_consent",
        "consent_updated_at",
        "created_at",
        "updated_at",
    ]


class DiagnosticResultViewSet(ReadOnlyViewSet):
    model = DiagnosticResult
    url_prefix = "merchants/diagnostics"
    icon = "form"
    menu_label = "Autodiagnostics"
    list_display = ["__str__", "merchant", "overall_score", "band_label", "created_at"]
    list_filter = ["band_slug", "questionnaire_slug", "created_at"]
    form_fields = ["band_label"]


class EngagementEventViewSet(ReadOnlyViewSet):
    model = EngagementEvent
    url_prefix = "merchants/events"
    icon = "history"
    menu_label = "Événements d'usage"
    list_display = ["kind", "module_slug", "merchant", "value", "occurred_at", "received_at"]
    list_filter = ["kind", "occurred_at"]
    search_fields = ["module_slug"]
    form_fields = ["kind"]


class MerchantsGroup(ModelViewSetGroup):
    items = (
        MerchantProfileViewSet,
        DiagnosticResultViewSet,
        EngagementEventViewSet,
    )
    menu_icon = "group"
    menu_label = "Commerçants"
    menu_name = "merchants"


@hooks.register("register_admin_viewset")
def register_merchants_admin():
    return MerchantsGroup()
