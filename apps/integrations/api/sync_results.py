"""The engine's sync results in the API's words: camelCase wire paths and the contract's messages.

The engine speaks its own language (error codes, paths such as ("invitations", 2, "email"), translatable
messages). The API's answers are a published contract, so they are worded here, in English, whatever
language the client's headers ask for.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.utils import translation

from apps.visits.sync import ErrorCode, EventSyncResult, FieldError
from apps.visits.sync.results import Path

_CAMEL = re.compile(r"_([a-z])")

# Where the contract words an error differently from the engine (it names wire fields and JSON values).
_WIRE_MESSAGES: dict[ErrorCode, str] = {
    ErrorCode.REQUIRED: "{field} is required to create an event.",
    ErrorCode.PERSON_EMAIL_REQUIRED: "{field} is required to identify the {parent}.",
    ErrorCode.NULL: "{field} may not be null.",
    ErrorCode.GUEST_LIST_NULL: "{field} may not be null; send [] to remove every guest.",
    ErrorCode.BLANK: "{field} may not be blank.",
    ErrorCode.BLANK_IDENTIFIER: "{name} may not be blank; leave it out instead.",
    ErrorCode.ENTRANCE_NOT_AT_LOCATION: (
        "The event's entrance {entrance_id} is not at location {location_id}; "
        "send an entranceId of the new location, or null."
    ),
    ErrorCode.ENDS_BEFORE_START: "endsAt must be later than startsAt.",
    ErrorCode.NEEDS_EMAIL_OR_NAME: "An invitation needs an email or a name.",
    ErrorCode.DUPLICATE_SOURCE_ID: "This sourceId appears earlier in the request; only the first counts.",
    ErrorCode.INVALID_PROFILE_ID: "{name} must be 1 to {limit} characters.",
    ErrorCode.EVENT_ANONYMISED: (
        "This event's guest data was erased after its location's retention period; the event is read-only."
    ),
}


def wire_path(path: Path) -> str:
    """("invitations", 2, "custom_fields", "7") → "invitations[2].customFields.7"."""
    out = ""
    raw_next = False
    for segment in path:
        if isinstance(segment, int):
            out += f"[{segment}]"
            continue
        name = segment if raw_next else _CAMEL.sub(lambda m: m.group(1).upper(), segment)
        # The keys of a customFields object are the client's own (custom field ids), not field names.
        raw_next = segment == "custom_fields" and not raw_next
        out += f".{name}" if out else name
    return out


def _wire_message(error: FieldError, field: str) -> str:
    if error.code == ErrorCode.REQUIRED and error.path == ("source_id",):
        return "sourceId is required."
    if error.code == ErrorCode.DUPLICATE_INVITATION:
        source_id = error.params.get("source_id")
        what = f"sourceId {source_id!r}" if source_id is not None else "email and name"
        return f"Another invitation of this event has the same {what}."
    template = _WIRE_MESSAGES.get(error.code)
    if template is None:
        return str(error.message)
    parent, _, name = field.rpartition(".")
    return template.format(field=field, parent=parent, name=name, **error.params)


def sync_results_render(results: Sequence[EventSyncResult]) -> dict[str, Any]:
    """The engine's results on the wire; plain dicts, as a serializer per result would cost more."""
    with translation.override("en"):
        return {
            "events": [
                {
                    "sourceId": result.source_id,
                    "status": str(result.status),
                    "id": result.id,
                    "action": str(result.action) if result.action is not None else None,
                    # Error fields stay relative to their event, as the engine gives them.
                    "errors": [
                        {"field": (field := wire_path(error.path)), "message": _wire_message(error, field)}
                        for error in result.errors
                    ],
                }
                for result in results
            ]
        }
