from django.urls import path

from apps.integrations.api import checkins, views
from apps.integrations.api.docs import DocsView, SchemaView
from apps.webhooks import api as webhooks_api

urlpatterns = [
    path("events", views.EventsView.as_view(), name="api-events"),
    path("events/<path:sourceId>", views.EventDetailView.as_view(), name="api-event-detail"),
    path("locations", views.LocationsView.as_view(), name="api-locations"),
    path("custom-fields", views.CustomFieldsView.as_view(), name="api-custom-fields"),
    path("access-partitions", views.AccessPartitionsView.as_view(), name="api-access-partitions"),
    path("check-ins", checkins.CheckInsView.as_view(), name="api-check-ins"),
    path("check-ins/<int:id>", checkins.CheckInDetailView.as_view(), name="api-check-in-detail"),
    path(
        "check-ins/<int:id>/check-out", checkins.CheckInCheckOutView.as_view(), name="api-check-in-check-out"
    ),
    path("webhooks", webhooks_api.WebhookEndpointsView.as_view(), name="api-webhooks"),
    path("webhooks/<int:id>", webhooks_api.WebhookEndpointDetailView.as_view(), name="api-webhook-detail"),
    path("schema", SchemaView.as_view(), name="api-schema"),
    path("docs", DocsView.as_view(url_name="api-schema"), name="api-docs"),
]
