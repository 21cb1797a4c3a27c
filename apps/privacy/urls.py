"""Mounted at /admin/privacy/ (portal/urls.py), behind the admin's login."""

from django.contrib import admin
from django.urls import path

from apps.privacy import views

app_name = "privacy"

urlpatterns = [path("", admin.site.admin_view(views.privacy_view), name="index")]
