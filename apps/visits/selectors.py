"""Reads of events and their guests, as plain rows.

Lists load `values()` rows, not model instances: a page of 200 events with 10 guests each would otherwise
build some 4,400 instances only to read a few attributes of each (issue #14). A page takes three queries
however many events and guests it holds: the events (with host and creator), their guests (with their
contacts), and the guests' access profiles.
"""

import json
from collections.abc import Sequence
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery, TextField
from django.db.models.functions import Cast

from apps.directory.models import custom_fields_effective
from apps.integrations.models import Integration
from apps.visits.models import Contact, Event, Invitation

EventRow = dict[str, Any]
GuestRow = dict[str, Any]

# Each row carries `creator_id` so that a missing creator is told apart from one with empty names.
EVENT_ROW_FIELDS = (
    "id",
    "source_id",
    "name",
    "description",
    "starts_at",
    "ends_at",
    "location_id",
    "entrance_id",
    "host__email",
    "host__first_name",
    "host__last_name",
    "host__phone_number",
    "creator_id",
    "creator__email",
    "creator__first_name",
    "creator__last_name",
    "creator__phone_number",
    "custom_fields",
    "cancelled_at",
    "status",
    "created_at",
    "updated_at",
    "source_updated_at",
    "anonymised_at",
)
GUEST_ROW_FIELDS = (
    "id",
    "event_id",
    "contact_source_id",
    "contact_email",
    "contact_first_name",
    "contact_last_name",
    "contact_company_name",
    "language",
    "custom_fields",
    "cancelled_at",
    "status",
    "checked_in_at",
    "checked_out_at",
)


# The contact's fields a guest row carries, as `contact_<field>`.
CONTACT_FIELDS = ("source_id", "email", "first_name", "last_name", "company_name")
# What the guests' query selects: `custom_fields` is decoded from this text.
GUEST_ROW_SELECTED = tuple(
    "custom_fields_json" if field == "custom_fields" else field for field in GUEST_ROW_FIELDS
)


def invitation_effective_custom_fields(*, invitation: Invitation) -> dict[str, Any]:
    return custom_fields_effective(
        event_values=invitation.event.custom_fields, invitation_values=invitation.custom_fields
    )


def event_list(*, integration: Integration) -> QuerySet[Event]:
    """The integration's events, active and cancelled: all it may read."""
    return Event.objects.filter(integration=integration)


def event_list_by_source_id(*, integration: Integration, source_id: str) -> QuerySet[Event]:
    """The integration's event with this `sourceId`: one row at most (sourceIds are unique per
    integration), none for another integration's."""
    # No sourceId holds a NUL (the parser refuses them), and PostgreSQL refuses to even compare one.
    if "\x00" in source_id:
        return Event.objects.none()
    return event_list(integration=integration).filter(source_id=source_id)


def event_rows(*, integration: Integration) -> QuerySet[Event, EventRow]:
    """The integration's events (active and cancelled) as rows of EVENT_ROW_FIELDS, host and creator joined.

    A queryset, so that filters, ordering and a page slice still go into its one SQL statement; the
    guests of the rows a page holds come from `event_guests`.
    """
    return event_list(integration=integration).values(*EVENT_ROW_FIELDS)


def event_guests(*, event_ids: Sequence[int]) -> dict[int, list[GuestRow]]:
    """The guests of these events, removed ones included, in the order they were invited, by event id.

    Each guest is a row of GUEST_ROW_FIELDS plus `access_profiles`: its `(partition_id, source_id)`
    pairs, ordered like AccessProfile. Two queries whatever the number of events.
    """
    guests: dict[int, list[GuestRow]] = {event_id: [] for event_id in event_ids}
    if not event_ids:
        return guests
    by_id: dict[int, GuestRow] = {}
    # The contact's fields are looked up per guest, not joined: PostgreSQL would hash-join the guests of
    # a page with every contact there is (a scan of the whole table, 14 ms for 100,000, even for 50 events).
    contact = Contact.objects.filter(pk=OuterRef("contact_id")).order_by()
    rows = (
        Invitation.objects.filter(event_id__in=event_ids)
        .order_by("event_id", "id")
        .annotate(
            **{f"contact_{field}": Subquery(contact.values(field)) for field in CONTACT_FIELDS},
            # As text, so that a guest without custom fields of its own (most) needs no decoding.
            custom_fields_json=Cast("custom_fields", TextField()),
        )
    )
    for row in rows.values(*GUEST_ROW_SELECTED):
        custom_fields = row.pop("custom_fields_json")
        row["custom_fields"] = {} if custom_fields == "{}" else json.loads(custom_fields)
        row["access_profiles"] = []
        by_id[row["id"]] = row
        guests[row["event_id"]].append(row)
    # Through the events, not the guests' ids: one short parameter list instead of thousands.
    links = Invitation.access_profiles.through.objects.filter(invitation__event_id__in=event_ids)
    for invitation_id, partition_id, source_id in links.order_by(
        "invitation_id", "accessprofile__partition_id", "accessprofile__source_id"
    ).values_list("invitation_id", "accessprofile__partition_id", "accessprofile__source_id"):
        by_id[invitation_id]["access_profiles"].append((partition_id, source_id))
    return guests
