"""Mounted at /admin/frontdesk/ (portal/urls.py); every view behind the admin's login."""

from django.contrib import admin
from django.urls import path

from apps.reception import views

app_name = "frontdesk"


def _desk(view):
    return admin.site.admin_view(view)


urlpatterns = [
    path("", _desk(views.today_view), name="today"),
    path("scan/", _desk(views.scan_view), name="scan"),
    path("walk-in/", _desk(views.walk_in_view), name="walk_in"),
    path("on-site/", _desk(views.on_site_view), name="on_site"),
    path("invitations/<int:pk>/check-in/", _desk(views.check_in_view), name="check_in"),
    path("invitations/<int:pk>/check-out/", _desk(views.check_out_view), name="check_out"),
    path("invitations/<int:pk>/badge/", _desk(views.badge_view), name="badge"),
    path("events/<int:pk>/badges/", _desk(views.badge_sheet_view), name="badge_sheet"),
]
