"""The observatory's place in the Wagtail admin: its URLs, a menu item shown only to staff with the
dedicated permission, and that permission in the groups editor."""

from django.contrib.auth.models import Permission
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from reporting import views


@hooks.register("register_admin_urls")
def register_observatory_urls():
    return [
        path("observatoire/", views.DashboardView.as_view(), name="observatory_dashboard"),
        path("observatoire/barometre/", views.BarometerView.as_view(), name="observatory_barometer"),
        path("observatoire/donnees/", views.OpenDataView.as_view(), name="observatory_opendata"),
    ]


class ObservatoryMenuItem(MenuItem):
    def is_shown(self, request):
        return views.can_view_observatory(request.user)


@hooks.register("register_admin_menu_item")
def register_observatory_menu_item():
    return ObservatoryMenuItem("Observatoire", reverse("observatory_dashboard"), icon_name="table", order=850)


@hooks.register("register_permissions")
def register_observatory_permission():
    return Permission.objects.filter(content_type__app_label="reporting", codename="view_observatory")
