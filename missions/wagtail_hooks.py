"""The coordination's admin: the queue of requests with their age, a mission's page (who the merchant is and how
to reach them, suggested students ranked with their reasons, sessions, thread, history) where a coordinator
proposes a student or cancels, the schools, referents and students, and the figures with charts.

Every status change goes through `missions.services` (the one state machine); nothing here prints a raw
"None" or "True": empty values read "—", booleans "Oui"/"Non".
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.timesince import timesince
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList, Panel
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import EditView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.log_actions import log
from wagtail.permission_policies import ModelPermissionPolicy

from missions import selectors, services
from missions.models import Mission, Role, School, SchoolReferent, StudentHelper

Status = Mission.Status
COORDINATE = "missions.change_mission"


def _merchant_label(mission: Mission) -> str:
    merchant = mission.merchant
    if merchant is None:
        return "Commerçant parti (compte effacé)"
    name = merchant.business_name or "Commerce sans nom"
    return f"{name} — {merchant.user.email}"


class MissionSummaryPanel(Panel):
    """Everything a coordinator reads about a mission, rendered by our template (no raw "None")."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "missions/admin/mission_summary.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            mission = (
                selectors.missions_for_coordinator()
                .prefetch_related("transitions__actor", "messages__author")
                .get(pk=self.instance.pk)
            )
            context.update(
                mission=mission,
                merchant_label=_merchant_label(mission),
                hours=selectors.hours_of(mission),
                suggestions=selectors.suggested_students(mission=mission) if mission.status == Status.NEW else [],
                age=timesince(mission.created_at),
            )
            return context


ACTIONS = [
    ("", "Enregistrer seulement les notes ou le message"),
    ("propose", "Proposer la mission à l'étudiant choisi"),
    ("withdraw", "Retirer la mission à l'étudiant (elle revient dans la file)"),
    ("complete", "Clore la mission comme terminée"),
    ("cancel", "Annuler la demande"),
]


class MissionAdminForm(WagtailAdminModelForm):
    """A coordinator's actions on a mission; the transitions themselves are checked by the service."""

    action = forms.ChoiceField(label="Action", choices=ACTIONS, required=False)
    message = forms.CharField(
        label="Message dans le fil de la mission",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Lu par le commerçant, l'étudiant et son référent.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "student" in self.fields and self.instance.pk:
            suggestions = selectors.suggested_students(mission=self.instance)
            if self.instance.status == Status.NEW:
                self.fields["student"].queryset = StudentHelper.objects.filter(
                    pk__in=[s.student.pk for s in suggestions]
                )
            self.fields["student"].label_from_instance = lambda student: str(student)
            self.fields[
                "student"
            ].help_text = (
                "Étudiants actifs qui maîtrisent ce thème et ont encore de la place, les mieux placés d'abord."
            )

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("action")
        if action == "propose" and not cleaned.get("student"):
            self.add_error("student", "Choisissez l'étudiant à qui proposer la mission.")
        transitions = {
            "propose": Status.PROPOSED,
            "withdraw": Status.NEW,
            "complete": Status.DONE,
            "cancel": Status.CANCELLED,
        }
        if action in transitions:
            error = services.transition_error(
                current=self.instance.status, new=transitions[action], role=Role.COORDINATOR
            )
            if error:
                self.add_error("action", error)
        return cleaned


class MissionEditView(EditView):
    def save_instance(self):
        """Through the services, so transitions, dates, history and e-mails follow one set of rules."""
        data = self.form.cleaned_data
        user = self.request.user
        mission = services.update_coordinator_notes(mission=self.object, notes=data.get("coordinator_notes", ""))
        try:
            action = data.get("action")
            if action == "propose":
                mission = services.propose_student(mission=mission, student=data["student"], coordinator=user)
            elif action == "withdraw":
                mission = services.withdraw_student(mission=mission, coordinator=user)
            elif action == "complete":
                mission = services.close_mission_as_done(mission=mission, coordinator=user)
            elif action == "cancel":
                mission = services.cancel_mission(mission=mission, actor=user, role=Role.COORDINATOR)
            if data.get("message"):
                services.post_message(mission=mission, author=user, role=Role.COORDINATOR, body=data["message"])
        except services.MissionError as error:
            self.form.add_error(None, error.message)
            raise
        self.has_content_changes = self.form.has_changed()
        log(instance=mission, action="wagtail.edit", content_changed=self.has_content_changes)
        return mission

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except services.MissionError:
            return self.form_invalid(form)


class CoordinatorPermissionPolicy(ModelPermissionPolicy):
    """Missions come from merchants: coordinators follow and change them, never create or delete them."""

    def user_has_permission(self, user, action):
        return action not in {"add", "delete"} and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


def _age(mission: Mission) -> str:
    return timesince(mission.created_at, timezone.now()).split(",")[0]


class MissionViewSet(ModelViewSet):
    model = Mission
    url_prefix = "missions"
    icon = "group"
    menu_label = "Missions"
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = False
    search_backend_name = None
    edit_view_class = MissionEditView
    list_display = [
        "__str__",
        Column("merchant", label="Commerçant", accessor=_merchant_label),
        "status",
        Column("age", label="Demandée il y a", accessor=_age),
        Column("student", label="Étudiant", accessor=lambda m: str(m.student) if m.student else "—"),
        Column(
            "satisfaction", label="Satisfaction", accessor=lambda m: f"{m.satisfaction}/5" if m.satisfaction else "—"
        ),
    ]
    list_filter = ["status", "theme", "preferred_mode"]
    search_fields = ["need", "trade_label", "arrondissement"]
    ordering = ["created_at"]
    edit_handler = ObjectList(
        [
            MissionSummaryPanel(heading="La mission"),
            FieldPanel("action", heading="Action"),
            FieldPanel("student"),
            FieldPanel("message"),
            FieldPanel("coordinator_notes"),
        ],
        base_form_class=MissionAdminForm,
    )

    def get_queryset(self, request):
        return Mission.objects.select_related("merchant__user", "student__school", "theme")

    @property
    def permission_policy(self):
        return CoordinatorPermissionPolicy(self.model)


class StudentHelperViewSet(ModelViewSet):
    model = StudentHelper
    url_prefix = "missions/students"
    icon = "user"
    menu_label = "Étudiants"
    search_backend_name = None
    inspect_view_enabled = False
    list_display = [
        "__str__",
        Column("active", label="Disponible", accessor=lambda s: "Oui" if s.active else "Non"),
        Column("account", label="Compte", accessor=lambda s: "Oui" if s.user_id else "Non"),
        "max_active_missions",
    ]
    list_filter = ["active", "school", "themes"]
    search_fields = ["first_name", "last_name"]
    panels = [
        FieldRowPanel([FieldPanel("first_name"), FieldPanel("last_name")]),
        FieldRowPanel([FieldPanel("school"), FieldPanel("user")]),
        FieldPanel("themes", widget=forms.CheckboxSelectMultiple),
        FieldPanel("availability"),
        FieldRowPanel([FieldPanel("max_active_missions"), FieldPanel("active")]),
    ]


class SchoolViewSet(ModelViewSet):
    model = School
    url_prefix = "missions/schools"
    icon = "home"
    menu_label = "Établissements"
    search_backend_name = None
    inspect_view_enabled = False
    list_display = ["name", "kind", "postcode"]
    list_filter = ["kind"]
    search_fields = ["name"]
    form_fields = ["name", "kind", "postcode"]


class SchoolReferentViewSet(ModelViewSet):
    model = SchoolReferent
    url_prefix = "missions/referents"
    icon = "user"
    menu_label = "Référents"
    search_backend_name = None
    inspect_view_enabled = False
    list_display = ["display_name", "school"]
    list_filter = ["school"]
    search_fields = ["display_name"]
    form_fields = ["display_name", "school", "user"]


class MissionsGroup(ModelViewSetGroup):
    items = (MissionViewSet, StudentHelperViewSet, SchoolViewSet, SchoolReferentViewSet)
    menu_icon = "group"
    menu_label = "Missions étudiants"
    menu_name = "missions"


@hooks.register("register_admin_viewset")
def register_missions_admin():
    return MissionsGroup()


# --- Figures ---------------------------------------------------------------------------------------


def figures_view(request):
    if not request.user.has_perm(COORDINATE):
        raise PermissionDenied
    figures = selectors.figures()
    peak = max([1] + [max(m.asked, m.matched, m.done) for m in figures.months])
    peak_rating = max([1] + list(figures.satisfaction_counts.values()))
    return TemplateResponse(
        request,
        "missions/admin/figures.html",
        {
            "figures": figures,
            "bars": [
                {
                    "month": m.month,
                    "values": [
                        ("Demandées", m.asked, round(100 * m.asked / peak)),
                        ("Acceptées", m.matched, round(100 * m.matched / peak)),
                        ("Terminées", m.done, round(100 * m.done / peak)),
                    ],
                }
                for m in figures.months
            ],
            "ratings": [
                (score, count, round(100 * count / peak_rating)) for score, count in figures.satisfaction_counts.items()
            ],
            "queue": selectors.new_requests_queue()[:20],
            "now": timezone.now(),
        },
    )


@hooks.register("register_admin_urls")
def register_figures_url():
    return [path("missions/chiffres/", figures_view, name="missions_figures")]


class CoordinatorMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(COORDINATE)


@hooks.register("register_admin_menu_item")
def register_figures_menu_item():
    return CoordinatorMenuItem("Missions : chiffres", reverse("missions_figures"), icon_name="table", order=310)
