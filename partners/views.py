"""Partner API keys in the Wagtail admin: list, issue (the secret is shown once), revoke. Issuing needs
`partners.add_partnerapikey`, revoking `partners.change_partnerapikey`."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from partners import selectors, services
from partners.models import PartnerApiKey


class PartnerKeysView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "partners/keys.html"
    page_title = "Clés d'API partenaires"
    header_icon = "key"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("partners.add_partnerapikey"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "keys": selectors.keys(),
            "can_revoke": self.request.user.has_perm("partners.change_partnerapikey"),
        }

    def post(self, request):
        if "revoke" in request.POST:
            if not request.user.has_perm("partners.change_partnerapikey"):
                raise PermissionDenied
            key = get_object_or_404(PartnerApiKey, pk=request.POST["revoke"])
            services.revoke_partner_key(key=key)
            messages.success(request, f"La clé « {key} » est révoquée : elle ne donne plus accès à rien.")
            return redirect("partner_keys")
        try:
            key, secret = services.issue_partner_key(name=request.POST.get("name", ""), created_by=request.user)
        except ValueError as error:
            messages.error(request, str(error))
            return redirect("partner_keys")
        context = self.get_context_data() | {"new_key": key, "secret": secret}
        return self.render_to_response(context)
