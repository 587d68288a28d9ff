"""Routing of /api/v1/ (ours) and /api/v2/ (Wagtail's own API, with draft previews)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from wagtail.api.v2.router import WagtailAPIRouter

from api import merchant_views, mission_views, observatory_views, recommendation_views, views
from api.wagtail_api import DocumentsAPIViewSet, ImagesAPIViewSet, PagePreviewAPIViewSet, PagesAPIViewSet

app_name = "api"

HELP = "me/help-requests/<int:pk>/"
ESPACE = "espace/missions/<int:pk>/"
missions_urls = [
    path("me/help-requests/", mission_views.HelpRequestListView.as_view(), name="me-help-request-list"),
    path(HELP, mission_views.HelpRequestDetailView.as_view(), name="me-help-request-detail"),
    path(HELP + "cancel/", mission_views.HelpRequestCancelView.as_view(), name="me-help-request-cancel"),
    path(HELP + "rating/", mission_views.HelpRequestRatingView.as_view(), name="me-help-request-rating"),
    path(HELP + "messages/", mission_views.HelpRequestMessagesView.as_view(), name="me-help-request-messages"),
    path(HELP + "sessions/", mission_views.HelpRequestSessionsView.as_view(), name="me-help-request-sessions"),
    *[
        path(
            HELP + f"sessions/<int:session_id>/{action}/",
            mission_views.HelpRequestSessionActionView.as_view(action=action),
            name=f"me-help-request-session-{action}",
        )
        for action in ("confirm", "held", "cancel")
    ],
    path("espace/auth/login/", mission_views.MemberLoginView.as_view(), name="espace-login"),
    path("espace/auth/refresh/", mission_views.MemberRefreshView.as_view(), name="espace-refresh"),
    path("espace/auth/logout/", mission_views.MemberLogoutView.as_view(), name="espace-logout"),
    path("espace/me/", mission_views.MemberMeView.as_view(), name="espace-me"),
    path("espace/missions/", mission_views.MemberMissionListView.as_view(), name="espace-mission-list"),
    path(ESPACE, mission_views.MemberMissionDetailView.as_view(), name="espace-mission-detail"),
    *[
        path(
            ESPACE + f"{action}/",
            mission_views.StudentMissionActionView.as_view(action=action),
            name=f"espace-mission-{action}",
        )
        for action in ("accept", "done")
    ],
    path(ESPACE + "decline/", mission_views.StudentDeclineView.as_view(), name="espace-mission-decline"),
    path(ESPACE + "sessions/", mission_views.StudentSessionsView.as_view(), name="espace-mission-sessions"),
    *[
        path(
            ESPACE + f"sessions/<int:session_id>/{action}/",
            mission_views.StudentSessionActionView.as_view(action=action),
            name=f"espace-session-{action}",
        )
        for action in ("confirm", "cancel")
    ],
    path(
        ESPACE + "sessions/<int:session_id>/report/",
        mission_views.StudentSessionReportView.as_view(),
        name="espace-session-report",
    ),
    path(ESPACE + "messages/", mission_views.MemberMessagesView.as_view(), name="espace-mission-messages"),
    path(ESPACE + "validate-hours/", mission_views.ReferentValidateHoursView.as_view(), name="espace-validate-hours"),
    path(ESPACE + "certificate/", mission_views.MissionCertificateView.as_view(), name="espace-certificate"),
]

v1 = [
    path("themes/", views.ThemeListView.as_view(), name="theme-list"),
    path("taxonomy/", views.TaxonomyView.as_view(), name="taxonomy"),
    path("modules/", views.ModuleListView.as_view(), name="module-list"),
    path("modules/<slug:slug>/", views.ModuleDetailView.as_view(), name="module-detail"),
    path("start/", views.StartingPointsView.as_view(), name="starting-points"),
    # merchants: accounts, profile, diagnostic, events, progress, help requests, GDPR
    path("auth/register/", merchant_views.RegisterView.as_view(), name="auth-register"),
    path("auth/login/", merchant_views.LoginView.as_view(), name="auth-login"),
    path("auth/refresh/", merchant_views.RefreshView.as_view(), name="auth-refresh"),
    path("auth/logout/", merchant_views.LogoutView.as_view(), name="auth-logout"),
    path("auth/password/", merchant_views.PasswordChangeView.as_view(), name="auth-password"),
    path("auth/password-reset/", merchant_views.PasswordResetRequestView.as_view(), name="auth-password-reset"),
    path(
        "auth/password-reset/confirm/",
        merchant_views.PasswordResetConfirmView.as_view(),
        name="auth-password-reset-confirm",
    ),
    path("diagnostic/", merchant_views.QuestionnaireView.as_view(), name="diagnostic"),
    path("me/", merchant_views.MeView.as_view(), name="me"),
    path("me/profile/", merchant_views.ProfileView.as_view(), name="me-profile"),
    path("me/diagnostic/", merchant_views.MyDiagnosticsView.as_view(), name="me-diagnostic"),
    path("me/events/", merchant_views.EventsView.as_view(), name="me-events"),
    path("me/progress/", merchant_views.ProgressView.as_view(), name="me-progress"),
    # missions: the merchant's help requests, and the students' and referents' space
    *missions_urls,
    path("me/export/", merchant_views.ExportView.as_view(), name="me-export"),
    path("me/recommendations/", recommendation_views.RecommendationsView.as_view(), name="me-recommendations"),
    # the agency's observatory: aggregates for partners (API key) and staff with the permission
    path("observatory/aggregates/", observatory_views.AggregatesView.as_view(), name="observatory-aggregates"),
    path(
        "observatory/aggregates.csv", observatory_views.AggregatesCsvView.as_view(), name="observatory-aggregates-csv"
    ),
    path("observatory/codebook/", observatory_views.CodebookView.as_view(), name="observatory-codebook"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
]

wagtail_api = WagtailAPIRouter("wagtailapi")
wagtail_api.register_endpoint("pages", PagesAPIViewSet)
wagtail_api.register_endpoint("images", ImagesAPIViewSet)
wagtail_api.register_endpoint("documents", DocumentsAPIViewSet)
wagtail_api.register_endpoint("page_preview", PagePreviewAPIViewSet)
