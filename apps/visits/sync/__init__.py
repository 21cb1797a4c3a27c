"""The reconciliation engine behind the sync API, the invite portal and the admin."""

from apps.visits.sync.engine import events_sync
from apps.visits.sync.inputs import UNSET, AccessProfileInput, EventInput, InvitationInput, PersonInput
from apps.visits.sync.results import ErrorCode, EventSyncResult, FieldError, SyncAction, SyncStatus

__all__ = [
    "UNSET",
    "AccessProfileInput",
    "ErrorCode",
    "EventInput",
    "EventSyncResult",
    "FieldError",
    "InvitationInput",
    "PersonInput",
    "SyncAction",
    "SyncStatus",
    "events_sync",
]
