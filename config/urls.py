from django.conf import settings
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from api import errors as api_errors
from api import views as api_views
from api.urls import v1, wagtail_api
from config.client_views import client, client_preview, espace_client, manifest, service_worker
from missions import views as mission_views

urlpatterns = [
    path("healthz", api_views.healthz, name="healthz"),
    path("readyz", api_views.readyz, name="readyz"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v1/", include((v1, "api"))),
    path("api/v2/", wagtail_api.urls),
    # Anything else under /api/ is a JSON 404, never one of Wagtail's HTML pages.
    re_path(r"^api/", api_errors.not_found_view),
    # The reference client: the merchant's app, and the preview route editors land on from "Aperçu".
    path("app/sw.js", service_worker, name="client-service-worker"),
    path("app/manifest.webmanifest", manifest, name="client-manifest"),
    re_path(r"^app/(?P<route>.*)$", client, name="client"),
    path("preview/", client_preview, name="headless-preview"),
    # The students' and referents' space, and the unsubscribe page of the missions' e-mails.
    re_path(r"^espace/(?P<route>.*)$", espace_client, name="espace"),
    path("emails/desabonnement/<str:token>/", mission_views.unsubscribe, name="missions-unsubscribe"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [re_path(r"", include(wagtail_urls))]

# Django's error pages, in the API's JSON shape under /api/ (see api/errors.py).
handler400, handler403, handler404, handler500 = api_errors.handlers()
