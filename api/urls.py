"""Routing of /api/v1/ (ours) and /api/v2/ (Wagtail's own API, with draft previews)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet

from api import views
from api.wagtail_api import PagePreviewAPIViewSet, PagesAPIViewSet

app_name = "api"

v1 = [
    path("themes/", views.ThemeListView.as_view(), name="theme-list"),
    path("taxonomy/", views.TaxonomyView.as_view(), name="taxonomy"),
    path("modules/", views.ModuleListView.as_view(), name="module-list"),
    path("modules/<slug:slug>/", views.ModuleDetailView.as_view(), name="module-detail"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
]

wagtail_api = WagtailAPIRouter("wagtailapi")
wagtail_api.register_endpoint("pages", PagesAPIViewSet)
wagtail_api.register_endpoint("images", ImagesAPIViewSet)
wagtail_api.register_endpoint("documents", DocumentsAPIViewSet)
wagtail_api.register_endpoint("page_preview", PagePreviewAPIViewSet)
