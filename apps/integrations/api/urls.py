from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny

from apps.integrations.api import views

# The schema and its browsable docs are public: they describe the API, they reveal no data.
_public = {"authentication_classes": [], "permission_classes": [AllowAny]}

urlpatterns = [
    path("events", views.EventsView.as_view(), name="api-events"),
    path("events/<path:sourceId>", views.EventDetailView.as_view(), name="api-event-detail"),
    path("locations", views.LocationsView.as_view(), name="api-locations"),
    path("custom-fields", views.CustomFieldsView.as_view(), name="api-custom-fields"),
    path("access-partitions", views.AccessPartitionsView.as_view(), name="api-access-partitions"),
    path("schema", SpectacularAPIView.as_view(**_public), name="api-schema"),
    path("docs", SpectacularSwaggerView.as_view(url_name="api-schema", **_public), name="api-docs"),
]
