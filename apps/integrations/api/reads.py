"""The read API's answers rendered from plain rows (`apps.visits.selectors`), not through serializers.

Serializers cost some 30,000 field look-ups and 4,400 model instances for a page of 200 events with 10
guests each (issue #14); these functions build the same JSON from `values()` rows with one dict literal
per object. The shape is still defined once: `serializers.EventSerializer` describes it for the OpenAPI
schema, and tests/integrations/test_read_shape.py proves that what is rendered here is byte for byte what
that serializer renders, over every kind of value an event can hold.

Any list of rows can use `rows_page`: it filters, pages and renders a view's `values()` queryset with a
function that renders the page's rows, in a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from apps.core.memory import cyclic_gc_paused
from apps.directory.models import custom_fields_effective
from apps.privacy.selectors import guest_data_erased
from apps.visits.selectors import EventRow, GuestRow, event_guests

Json = dict[str, Any]


def datetime_render(value: dt.datetime | None, zone: dt.tzinfo) -> str | None:
    """ISO 8601 in `zone`, `Z` for UTC: exactly what DRF's DateTimeField renders."""
    if value is None:
        return None
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def person_render(row: dict[str, Any], prefix: str) -> Json:
    """An employee (host or creator) joined into `row` under `prefix` (`host__`)."""
    return {
        "email": row[f"{prefix}email"],
        "firstName": row[f"{prefix}first_name"],
        "lastName": row[f"{prefix}last_name"],
        "phoneNumber": row[f"{prefix}phone_number"],
    }


def access_profiles_render(profiles: list[tuple[int, str]]) -> list[Json]:
    return [{"partitionId": partition_id, "sourceId": source_id} for partition_id, source_id in profiles]


def guest_render(
    row: GuestRow, *, event_custom_fields: dict[str, Any], zone: dt.tzinfo, event_anonymised: bool = False
) -> Json:
    """One invitation of an event's `invitations`; a guest whose data is erased has null names and email."""
    erased = guest_data_erased(
        event_anonymised=event_anonymised,
        email=row["contact_email"],
        first_name=row["contact_first_name"],
        last_name=row["contact_last_name"],
    )
    return {
        "sourceId": row["contact_source_id"],
        "email": None if erased else row["contact_email"],
        "firstName": None if erased else row["contact_first_name"],
        "lastName": None if erased else row["contact_last_name"],
        "companyName": None if erased else row["contact_company_name"],
        "language": row["language"],
        "customFields": row["custom_fields"],
        "accessProfiles": access_profiles_render(row["access_profiles"]),
        "deletedAt": datetime_render(row["cancelled_at"], zone),
        "status": row["status"],
        "checkedInAt": datetime_render(row["checked_in_at"], zone),
        "checkedOutAt": datetime_render(row["checked_out_at"], zone),
        "effectiveCustomFields": custom_fields_effective(
            event_values=event_custom_fields, invitation_values=row["custom_fields"]
        ),
    }


def event_render(row: EventRow, *, guests: list[GuestRow], zone: dt.tzinfo) -> Json:
    """One event as `GET /events/{sourceId}` answers it."""
    custom_fields = row["custom_fields"]
    return {
        "id": row["id"],
        "sourceId": row["source_id"],
        "name": row["name"],
        "description": row["description"],
        "startsAt": datetime_render(row["starts_at"], zone),
        "endsAt": datetime_render(row["ends_at"], zone),
        "locationId": row["location_id"],
        "entranceId": row["entrance_id"],
        "host": person_render(row, "host__"),
        "creator": person_render(row, "creator__") if row["creator_id"] is not None else None,
        "invitations": [
            guest_render(
                guest,
                event_custom_fields=custom_fields,
                zone=zone,
                event_anonymised=row["anonymised_at"] is not None,
            )
            for guest in guests
        ],
        "customFields": custom_fields,
        "deletedAt": datetime_render(row["cancelled_at"], zone),
        "status": row["status"],
        "createdAt": datetime_render(row["created_at"], zone),
        "updatedAt": datetime_render(row["updated_at"], zone),
        "sourceUpdatedAt": datetime_render(row["source_updated_at"], zone),
        "anonymisedAt": datetime_render(row["anonymised_at"], zone),
    }


def events_render(rows: list[EventRow]) -> list[Json]:
    """Event rows (`event_rows`) with their guests, in two more queries however many rows there are."""
    guests = event_guests(event_ids=[row["id"] for row in rows])
    # Times in the active time zone, as DRF's DateTimeField renders them (UTC unless someone activates one).
    zone = timezone.get_current_timezone()
    return [event_render(row, guests=guests[row["id"]], zone=zone) for row in rows]


def rows_page(view: GenericAPIView, render: Callable[[list[Any]], list[Json]]) -> Response:
    """A list view's answer: its `values()` queryset filtered and paged as usual, the page's rows rendered
    by `render` (which may load what they need for all of them at once)."""
    queryset: QuerySet[Any, Any] = view.filter_queryset(view.get_queryset())
    rows = view.paginate_queryset(queryset)
    if rows is None:
        # Every list of the API is paged; a view without a paginator would answer without `next`.
        raise TypeError(f"{type(view).__name__} has no pagination_class.")
    # A page of 200 events allocates some 50,000 short-lived objects, none in a reference cycle.
    with cyclic_gc_paused():
        return view.get_paginated_response(render(list(rows)))
