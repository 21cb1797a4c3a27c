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


def _plain(value: Any) -> Any:
    # JSON has no date-times: ISO 8601 in UTC, whatever offset the value came with.
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple | frozenset | set):
        return [_plain(item) for item in value]
    return value


def audit_record(*, actor: Actor, changes: Sequence[AuditChange], at: dt.datetime | None = None) -> None:
    if not changes:
        return
    when = at or timezone.now()
    common = {
        "created_at": when,
        "door": str(actor.door),
        "integration_id": actor.integration.pk if actor.integration is not None else None,
        "user_id": actor.user.pk if actor.user is not None else None,
        "actor": actor.label,
        "request_id": actor.request_id,
    }
    rows_insert(
        model=AuditEntry,
        rows=[
            {
                **common,
                "event_id": change.event_id,
                "invitation_id": change.invitation_id,
                "action": str(change.action),
                "changes": {name: [_plain(old), _plain(new)] for name, (old, new) in change.changes.items()},
            }
            for change in changes
        ],
    )
