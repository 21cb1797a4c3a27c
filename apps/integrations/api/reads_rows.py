"""Events rendered in Python from plain rows: the read API's answers on databases other than PostgreSQL.

On PostgreSQL the database renders them (`reads_sql`); elsewhere (the SQLite demo) these functions build
the same JSON from `values()` rows with one dict literal per object. tests/integrations/test_read_shape.py
proves both byte for byte equal to what EventSerializer, the schema's definition of the shape, renders.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

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


def events_render(rows: list[EventRow], *, zone: dt.tzinfo) -> list[Json]:
    """Event rows (`event_rows`) with their guests, in two more queries however many rows there are."""
    guests = event_guests(event_ids=[row["id"] for row in rows])
    return [event_render(row, guests=guests[row["id"]], zone=zone) for row in rows]
