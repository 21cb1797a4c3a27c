"""What the engine answers, in its own terms: statuses, actions, and errors as (code, path, message).

Each door translates these into its own language: the sync API into camelCase wire paths and its
documented messages, a form into the errors of its fields.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise


class SyncStatus(enum.StrEnum):
    SUCCESS = "SUCCESS"
    ERROR_MISSING_REQUIRED_FIELDS = "ERROR_MISSING_REQUIRED_FIELDS"
    ERROR_LOCATION_NOT_FOUND = "ERROR_LOCATION_NOT_FOUND"
    ERROR_ENTRANCE_NOT_FOUND = "ERROR_ENTRANCE_NOT_FOUND"
    ERROR_USER_CANNOT_HOST_AT_LOCATION = "ERROR_USER_CANNOT_HOST_AT_LOCATION"
    ERROR_INVALID_TIME_RANGE = "ERROR_INVALID_TIME_RANGE"
    ERROR_CUSTOM_FIELD_NOT_FOUND = "ERROR_CUSTOM_FIELD_NOT_FOUND"
    ERROR_INVALID_CUSTOM_FIELD_VALUE = "ERROR_INVALID_CUSTOM_FIELD_VALUE"
    ERROR_ACCESS_PARTITION_NOT_FOUND = "ERROR_ACCESS_PARTITION_NOT_FOUND"
    ERROR_DUPLICATE_SOURCE_ID = "ERROR_DUPLICATE_SOURCE_ID"
    ERROR_DUPLICATE_INVITATION = "ERROR_DUPLICATE_INVITATION"
    ERROR_VALIDATION = "ERROR_VALIDATION"
    # The event's guest data was erased for retention (apps/privacy): it is read-only since.
    ERROR_EVENT_ANONYMISED = "ERROR_EVENT_ANONYMISED"


class SyncAction(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"
    UNCHANGED = "unchanged"
    OUTDATED = "outdated"


# A path in the engine's own terms, relative to its event: ("starts_at",), ("invitations", 2, "email"),
# ("custom_fields", "7"). The empty path is the item itself.
Path = tuple[str | int, ...]


class ErrorCode(enum.StrEnum):
    """Why a value was refused; stable, so doors can key their own wording on it."""

    REQUIRED = "required"  # absent where it must be given (to create an event)
    PERSON_EMAIL_REQUIRED = "person_email_required"  # a host or creator without an email
    NULL = "null"
    GUEST_LIST_NULL = "guest_list_null"
    BLANK = "blank"
    BLANK_IDENTIFIER = "blank_identifier"
    TOO_LONG = "too_long"
    CONTROL_CHARACTERS = "control_characters"
    NAIVE_DATETIME = "naive_datetime"
    UNREPRESENTABLE_TIME = "unrepresentable_time"
    INVALID_EMAIL = "invalid_email"
    INVALID_LANGUAGE = "invalid_language"
    NEEDS_EMAIL_OR_NAME = "needs_email_or_name"
    LOCATION_NOT_FOUND = "location_not_found"
    ENTRANCE_NOT_FOUND = "entrance_not_found"
    ENTRANCE_NOT_AT_LOCATION = "entrance_not_at_location"
    ENDS_BEFORE_START = "ends_before_start"
    CUSTOM_FIELD_NOT_FOUND = "custom_field_not_found"
    INVALID_CUSTOM_FIELD_VALUE = "invalid_custom_field_value"
    ACCESS_PARTITION_NOT_FOUND = "access_partition_not_found"
    INVALID_PROFILE_ID = "invalid_profile_id"
    DUPLICATE_SOURCE_ID = "duplicate_source_id"
    DUPLICATE_INVITATION = "duplicate_invitation"
    HOST_DEACTIVATED = "host_deactivated"
    HOST_NOT_ALLOWED = "host_not_allowed"
    EVENT_ANONYMISED = "event_anonymised"


@dataclass(frozen=True, slots=True)
class FieldError:
    code: ErrorCode
    path: Path
    # Translatable (lazy): rendered in whatever language is active where it is shown.
    message: str | Promise
    # The values the message speaks of, for doors that word it their own way.
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class EventSyncResult:
    source_id: str | None
    status: SyncStatus = SyncStatus.SUCCESS
    id: int | None = None
    action: SyncAction | None = None
    errors: list[FieldError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status is SyncStatus.SUCCESS
