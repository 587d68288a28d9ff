"""Admin for staff: merchants, diagnostics and engagement events to browse (read-only), help requests to
match with a student helper and follow up, and the student helpers themselves."""

from django import forms
from django.contrib.auth import get_user_model
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.views.generic import EditView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.log_actions import log
from wagtail.permission_policies import ModelPermissionPolicy

from merchants import selectors, services
from merchants.models import DiagnosticResult, EngagementEvent, HelpRequest, MerchantProfile, StudentHelper


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


class NoAddPermissionPolicy(ReadOnlyPermissionPolicy):
    """Help requests come from merchants: staff edit and follow them up, never create or delete them."""

    forbidden = frozenset({"add", "delete"})


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


class HelpRequestAdminForm(WagtailAdminModelForm):
    """Status and helper, with the helpers suggested for the request's theme and the transitions checked."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.current_status = self.instance.status
        if "helper" in self.fields and self.instance.pk:
            theme = self.instance.theme
            suggested = list(selectors.suggested_helpers(theme=theme))
            if suggested:
                names = " ; ".join(f"{helper} — {helper.open_requests} demande(s) en cours" for helper in suggested)
                self.fields["helper"].help_text = f"Suggestions pour le thème « {theme} » : {names}."
            else:
                self.fields["helper"].help_text = f"Aucun accompagnateur actif pour le thème « {theme} »."

    def clean(self):
        cleaned_data = super().clean()
        if "status" in cleaned_data:
            errors = services.transition_errors(
                current=self.current_status, new=cleaned_data["status"], helper=cleaned_data.get("helper")
            )
            for field, messages in errors.items():
                self.add_error(field if field in self.fields else None, messages)
        return cleaned_data


class HelpRequestEditView(EditView):
    def save_instance(self):
        """Through the service, so the allowed transitions and the dates follow the same rules everywhere."""
        data = self.form.cleaned_data
        instance = services.move_help_request(
            help_request=self.object,
            status=data["status"],
            helper=data.get("helper"),
            staff_notes=data.get("staff_notes", ""),
        )
        self.has_content_changes = self.form.has_changed()
        log(instance=instance, action="wagtail.edit", content_changed=self.has_content_changes)
        return instance


class HelpRequestViewSet(ModelViewSet):
    model = HelpRequest
    url_prefix = "merchants/help-requests"
    icon = "group"
    menu_label = "Demandes d'accompagnement"
    add_to_reference_index = False  # operational records, see ReadOnlyViewSet
    inspect_view_enabled = True
    copy_view_enabled = False
    search_backend_name = None
    edit_view_class = HelpRequestEditView
    list_display = ["__str__", "theme", "status", "helper", "created_at", "satisfaction"]
    list_filter = ["status", "theme", "helper", "created_at"]
    search_fields = ["message"]
    ordering = ["-created_at"]
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [
                    FieldPanel("merchant", read_only=True),
                    FieldRowPanel([FieldPanel("theme", read_only=True), FieldPanel("module", read_only=True)]),
                    FieldPanel("message", read_only=True),
                    FieldPanel("availability", read_only=True),
                ],
                heading="Le besoin du commerçant",
            ),
            MultiFieldPanel(
                [FieldPanel("status"), FieldPanel("helper"), FieldPanel("staff_notes")],
                heading="Mise en relation et suivi",
            ),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("matched_at", read_only=True), FieldPanel("closed_at", read_only=True)]),
                    FieldRowPanel(
                        [FieldPanel("satisfaction", read_only=True), FieldPanel("satisfaction_comment", read_only=True)]
                    ),
                ],
                heading="Dates et satisfaction",
            ),
        ],
        base_form_class=HelpRequestAdminForm,
    )

    @property
    def permission_policy(self):
        return NoAddPermissionPolicy(self.model)


class StudentHelperViewSet(ModelViewSet):
    model = StudentHelper
    url_prefix = "merchants/student-helpers"
    icon = "user"
    menu_label = "Étudiants accompagnateurs"
    add_to_reference_index = False  # operational records, see ReadOnlyViewSet
    search_backend_name = None
    list_display = ["name", "school", "active"]
    list_filter = ["active", "themes"]
    search_fields = ["name", "school"]
    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("school")]),
        FieldPanel("themes", widget=forms.CheckboxSelectMultiple),
        FieldPanel("availability"),
        FieldPanel("active"),
    ]


class MerchantsGroup(ModelViewSetGroup):
    items = (
        HelpRequestViewSet,
        StudentHelperViewSet,
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
