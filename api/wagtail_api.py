"""Wagtail's API v2 endpoints, plus `page_preview` for wagtail-headless-preview: the frontend's
preview route receives `content_type` and a signed `token` and fetches the draft here."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.signing import BadSignature, SignatureExpired
from django.http import Http404
from django.utils.cache import patch_cache_control
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet as BasePagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet as BaseDocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet as BaseImagesAPIViewSet


class OurErrorsMixin:
    """Wagtail's viewsets answer `{"message": …}` for a bad filter or an unknown id: route those through the
    API's one error path instead (api/errors.py), so /api/v2/ errors have the /api/v1/ shape."""

    def handle_exception(self, exc):
        if isinstance(exc, BadRequestError):
            exc = ValidationError(str(exc))
        elif isinstance(exc, Http404):
            exc = NotFound()
        return APIView.handle_exception(self, exc)


class PagesAPIViewSet(OurErrorsMixin, BasePagesAPIViewSet):
    """Wagtail's page listing, with the module's relations read in one query each rather than per page
    (`?type=cms.ModulePage&fields=theme,goals,…` cost 126 queries for 20 modules without this)."""

    def get_queryset(self):
        from cms.models import ModulePage

        queryset = super().get_queryset()
        if issubclass(queryset.model, ModulePage):
            queryset = queryset.select_related("theme", "level").prefetch_related(
                "target_sectors", "goals", "capabilities_required", "capabilities_built", "sources"
            )
        return queryset


class ImagesAPIViewSet(OurErrorsMixin, BaseImagesAPIViewSet):
    pass


class DocumentsAPIViewSet(OurErrorsMixin, BaseDocumentsAPIViewSet):
    pass


class PagePreviewAPIViewSet(OurErrorsMixin, BasePagesAPIViewSet):
    known_query_parameters = BasePagesAPIViewSet.known_query_parameters.union(["content_type", "token"])

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_cache_control(response, private=True, no_store=True)  # drafts: never kept by a browser or proxy
        return response

    def listing_view(self, request):
        self.action = "detail_view"  # serialize every field, as the detail of a page would
        page = self.get_object()
        serializer = self.get_serializer(page)
        return Response(serializer.data)

    def detail_view(self, request, pk):
        page = self.get_object()
        serializer = self.get_serializer(page)
        return Response(serializer.data)

    def get_object(self):
        app_label, _, model = self.request.GET.get("content_type", "").partition(".")
        token = self.request.GET.get("token", "")
        if not app_label or not model or not token:
            raise ValidationError({"content_type": "content_type and token are required."})
        try:
            content_type = ContentType.objects.get_by_natural_key(app_label, model)
        except ContentType.DoesNotExist as error:
            raise NotFound("Unknown content type.") from error
        page_model = content_type.model_class()
        if page_model is None or not hasattr(page_model, "get_page_from_preview_token"):
            raise NotFound("This content type has no preview.")
        try:
            # The library's tokens never expire by themselves: a leaked preview link would show drafts for ever.
            page_model.get_preview_signer().unsign(token, max_age=settings.PREVIEW_TOKEN_TTL)
            page = page_model.get_page_from_preview_token(token)
        except SignatureExpired as error:
            raise NotFound("Cet aperçu a expiré : cliquez de nouveau sur « Aperçu » dans l'administration.") from error
        except BadSignature as error:
            raise NotFound("Invalid or expired preview token.") from error
        if page is None:
            raise NotFound("This preview has expired; press Preview again in the admin.")
        if not page.pk:
            page.pk = 0  # a page never saved yet: a placeholder key keeps the API's URL routing happy
        return page

    @classmethod
    def get_urlpatterns(cls):
        from django.urls import path

        return [path("", cls.as_view({"get": "listing_view"}), name="listing")]
