from django.contrib.auth.models import Permission
from django.urls import path
from wagtail import hooks

from partners.views import PartnerKeysView


@hooks.register("register_admin_urls")
def register_partner_key_urls():
    return [path("observatoire/cles/", PartnerKeysView.as_view(), name="partner_keys")]


@hooks.register("register_permissions")
def register_partner_key_permissions():
    return Permission.objects.filter(
        content_type__app_label="partners", codename__in=["add_partnerapikey", "change_partnerapikey"]
    )
