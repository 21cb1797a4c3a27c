from django.contrib import admin
from django.urls import include, path, re_path

from apps.integrations.api.errors import api_not_found
from apps.invites import urls as invites_urls
from apps.invites.views import home
from apps.reception.views import admin_home_view

urlpatterns = [
    # The front desk lives in the admin; reception users land there instead of the admin's index.
    path("admin/frontdesk/", include("apps.reception.urls")),
    path("admin/privacy/", include("apps.privacy.urls")),
    path("admin/", admin.site.admin_view(admin_home_view), name="admin_home"),
    path("admin/", admin.site.urls),
    path("api/v2/", include("apps.integrations.api.urls")),
    # Any other address under /api/ is a JSON 404, even where DEBUG would show an HTML page.
    re_path(r"^api/", api_not_found),
    # The invite portal: everyone's start page, logins, and the employees' own visits.
    path("", home, name="home"),
    path("accounts/", include(invites_urls.account_patterns)),
    path("visits/", include(invites_urls.visit_patterns)),
    path("i18n/", include("django.conf.urls.i18n")),
]

# Problem documents (JSON) for /api/ paths; every other path gets Django's default pages.
handler400 = "apps.integrations.api.errors.api_handler400"
handler403 = "apps.integrations.api.errors.api_handler403"
handler404 = "apps.integrations.api.errors.api_handler404"
handler500 = "apps.integrations.api.errors.api_handler500"
