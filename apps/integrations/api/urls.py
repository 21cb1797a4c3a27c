from django.urls import path

from apps.integrations.api import views
from apps.integrations.api.docs import DocsView, SchemaView

urlpatterns = [
    path("events", views.EventsView.as_view(), name="api-events"),
    path("events/<path:sourceId>", views.EventDetailView.as_view(), name="api-event-detail"),
    path("locations", views.LocationsView.as_view(), name="api-locations"),
    path("custom-fields", views.CustomFieldsView.as_view(), name="api-custom-fields"),
    path("access-partitions", views.AccessPartitionsView.as_view(), name="api-access-partitions"),
    path("schema", SchemaView.as_view(), name="api-schema"),
    path("docs", DocsView.as_view(url_name="api-schema"), name="api-docs"),
]
