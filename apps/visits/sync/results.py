from __future__ import annotations

import enum
from dataclasses import dataclass, field


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


class SyncAction(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"
    UNCHANGED = "unchanged"
    OUTDATED = "outdated"


@dataclass(frozen=True, slots=True)
class FieldError:
    # Relative to the event it belongs to, e.g. "startsAt" or "invitations[2].email".
    field: str
    message: str


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
