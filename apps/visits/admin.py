"""The back office's read-only view of events, guests and invitations.

The reconciliation engine is the only writer of these models (it keeps guest notifications, contacts and
the outbox consistent), so nothing here saves through a ModelAdmin: add, change and delete are off and
the change pages render as read-only views. Reception actions arrive as admin actions calling services.
"""

import json
from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from apps.directory.models import CustomField
from apps.visits.models import Contact, Event, Invitation
from apps.visits.selectors import invitation_effective_custom_fields


class ReadOnlyAdminMixin:
    """View permission only: the engine, not the admin form, writes these rows."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _custom_field_rows(values: dict[str, Any]) -> str:
    """`{"7": "B-XY 123"}` as "Licence plate (7): B-XY 123" lines, with one query for the field names."""
    if not values:
        return "—"
    ids = [int(key) for key in values if key.isdigit()]
    names = dict(CustomField.objects.filter(pk__in=ids).values_list("pk", "name"))
    rows = [
        (
            names.get(int(key), "Unknown field") if key.isdigit() else "Unknown field",
            key,
            value if isinstance(value, str) else json.dumps(value),
        )
        for key, value in sorted(values.items(), key=lambda item: (len(item[0]), item[0]))
    ]
    return format_html_join(mark_safe("<br>"), "{} ({}): {}", rows)


class InvitationInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Invitation
    extra = 0
    fields = ["contact", "status", "language", "checked_in_at", "checked_out_at", "custom_fields"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Invitation]:
        return super().get_queryset(request).select_related("contact", "event")


@admin.register(Event)
class EventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "starts_at",
        "ends_at",
        "location",
        "host",
        "status",
        "guest_count",
        "integration",
        "source_id",
    ]
    list_filter = ["status", "location", "integration", "starts_at"]
    list_select_related = ["location", "host", "integration"]
    search_fields = ["name", "source_id", "host__email"]
    date_hierarchy = "starts_at"
    readonly_fields = ["event_custom_fields", "created_at", "updated_at"]
    fields = [
        "name",
        "description",
        "status",
        ("starts_at", "ends_at"),
        ("location", "entrance"),
        ("host", "creator"),
        "event_custom_fields",
        ("integration", "source_id", "source_updated_at"),
        ("created_at", "updated_at"),
    ]
    inlines = [InvitationInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Event]:
        return super().get_queryset(request).annotate(guest_total=Count("invitations"))

    @admin.display(description="Guests", ordering="guest_total")
    def guest_count(self, obj: Event) -> int:
        return obj.guest_total

    @admin.display(description="Custom fields")
    def event_custom_fields(self, obj: Event) -> str:
        return _custom_field_rows(obj.custom_fields)


class ContactInvitationInline(InvitationInline):
    fields = ["event", "status", "language", "checked_in_at", "checked_out_at"]
    readonly_fields = fields


@admin.register(Contact)
class ContactAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "email", "company_name", "integration", "source_id", "updated_at"]
    list_filter = ["integration"]
    list_select_related = ["integration"]
    search_fields = ["email", "first_name", "last_name", "company_name", "source_id"]
    fields = [
        ("first_name", "last_name"),
        "email",
        "company_name",
        ("integration", "source_id"),
        ("created_at", "updated_at"),
    ]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [ContactInvitationInline]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["contact", "event", "event_starts_at", "status", "language", "checked_in_at"]
    list_filter = ["status", "language", "event__location"]
    list_select_related = ["contact", "event", "event__location"]
    search_fields = ["contact__email", "contact__first_name", "contact__last_name", "event__name"]
    fields = [
        "event",
        "contact",
        "status",
        "cancel_reason",
        "language",
        "effective_custom_fields",
        "access_profiles",
        ("checked_in_at", "checked_out_at"),
        "sequence",
        ("created_at", "updated_at"),
    ]
    readonly_fields = ["effective_custom_fields", "created_at", "updated_at"]

    @admin.display(description="Starts", ordering="event__starts_at")
    def event_starts_at(self, obj: Invitation) -> Any:
        return obj.event.starts_at

    @admin.display(description="Custom fields (event values with this guest's own on top)")
    def effective_custom_fields(self, obj: Invitation) -> str:
        return _custom_field_rows(invitation_effective_custom_fields(invitation=obj))
