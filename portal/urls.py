from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v2/", include("apps.integrations.api.urls")),
]

# Problem documents (JSON) for /api/ paths; every other path gets Django's default pages.
handler400 = "apps.integrations.api.errors.api_handler400"
handler403 = "apps.integrations.api.errors.api_handler403"
handler404 = "apps.integrations.api.errors.api_handler404"
handler500 = "apps.integrations.api.errors.api_handler500"
