"""The audit trail: one row per changed event and per changed guest, written set-based with the change.

Callers (the engine, the check-in services) describe each change as an `AuditChange`; `audit_record`
writes them all in one statement, inside the caller's transaction. An unchanged item is never recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from apps.core.bulk import rows_insert
from apps.visits.actors import Actor
from apps.visits.models import AuditEntry

Action = AuditEntry.Action


@dataclass(slots=True)
class AuditChange:
    event_id: int
    action: str
    invitation_id: int | None = None
    # {"field": (old, new)} in the engine's own terms.
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)


# Values the engine keeps as date-times; JSON has none, so the trail stores ISO 8601 in UTC.
DATETIME_FIELDS = frozenset(
    {"starts_at", "ends_at", "cancelled_at", "source_updated_at", "checked_in_at", "checked_out_at"}
)


def _utc(value: Any) -> Any:
    return value.astimezone(dt.UTC).isoformat() if isinstance(value, dt.datetime) else value


def audit_record(*, actor: Actor, changes: Sequence[AuditChange], at: dt.datetime | None = None) -> None:
    if not changes:
        return
    # What every entry of one call shares is sent once (a large sync writes some 11,000 entries).
    constants = {
        "created_at": at or timezone.now(),
        "door": str(actor.door),
        "integration_id": actor.integration.pk if actor.integration is not None else None,
        "user_id": actor.user.pk if actor.user is not None else None,
        "actor": actor.label,
        "request_id": actor.request_id,
    }
    rows_insert(
        model=AuditEntry,
        constants=constants,
        rows=[
            {
                "event_id": change.event_id,
                "invitation_id": change.invitation_id,
                "action": str(change.action),
                "changes": {
                    name: [_utc(old), _utc(new)] if name in DATETIME_FIELDS else [old, new]
                    for name, (old, new) in change.changes.items()
                },
            }
            for change in changes
        ],
    )
