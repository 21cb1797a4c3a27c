"""The reconciliation engine: the one writer of events, invitations and guest contacts.

`events_sync` takes the desired state of some events, compares it with the database and applies the
difference in one transaction, recording what each change owes to guests as outbox rows.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence

from django.db import OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.memory import cyclic_gc_paused
from apps.core.text import email_normalize
from apps.integrations.models import Integration
from apps.visits.actors import Actor
from apps.visits.sync.inputs import EventInput, PersonInput
from apps.visits.sync.planning import EventPlan, EventPlanner
from apps.visits.sync.results import ErrorCode, EventSyncResult, FieldError, SyncStatus
from apps.visits.sync.snapshot import snapshot_load
from apps.visits.sync.writing import plans_apply

logger = logging.getLogger(__name__)

# A batch that loses a deadlock or serialization race is retried whole; it never reaches the client.
MAX_ATTEMPTS = 5
EMPLOYEE_LOCK_BUCKETS = 64


def events_sync(
    *, actor: Actor, events: Sequence[EventInput], ignore_missing_invitations: bool = False
) -> list[EventSyncResult]:
    """Bring the given events to the state described; one result per event, in input order.

    The events are the actor's: an integration's are keyed by its own sourceIds, everyone else's are the
    portal's own events (keyed by the portal's source ids). Every change is recorded in the audit trail
    with the actor, in the same transaction.

    Never raises for anything the caller could send: bad events get an error result and change nothing.
    """
    batch = list(events)
    if not batch:
        return []
    attempts = 1 if connection.in_atomic_block else MAX_ATTEMPTS
    with cyclic_gc_paused():
        for attempt in range(1, attempts + 1):
            try:
                with transaction.atomic():
                    return _sync_batch(actor, batch, ignore_missing_invitations)
            except OperationalError as exc:
                if attempt == attempts or not _is_transient(exc):
                    raise
                logger.info("events_sync retry %s after %s", attempt, type(exc.__cause__).__name__)
    raise AssertionError("unreachable")


def _sync_batch(
    actor: Actor, batch: list[EventInput], ignore_missing_invitations: bool
) -> list[EventSyncResult]:
    integration = actor.integration
    _batch_lock(integration, batch)
    snapshot = snapshot_load(integration=integration, events=batch)
    planner = EventPlanner(
        snapshot=snapshot, ignore_missing_invitations=ignore_missing_invitations, now=timezone.now()
    )

    plans: list[EventPlan] = []
    first: dict[str, EventPlan] = {}
    duplicates: list[tuple[EventPlan, EventPlan]] = []
    for index, event in enumerate(batch):
        source_id = event.source_id if isinstance(event.source_id, str) else None
        if source_id is not None and source_id in first:
            existing = snapshot.events.get(source_id)
            result = EventSyncResult(
                source_id=source_id,
                status=SyncStatus.ERROR_DUPLICATE_SOURCE_ID,
                id=existing.id if existing else None,
                errors=[
                    FieldError(
                        code=ErrorCode.DUPLICATE_SOURCE_ID,
                        path=("source_id",),
                        message=_("This event appears earlier in the batch; only the first counts."),
                    )
                ],
            )
            plans.append(duplicate := EventPlan(index=index, result=result))
            duplicates.append((duplicate, first[source_id]))
            continue
        plans.append(plan := planner.plan(index=index, event=event))
        if source_id is not None:
            first[source_id] = plan

    plans_apply(actor=actor, plans=plans, snapshot=snapshot)
    for duplicate, original in duplicates:
        # The event exists once its first copy created it, so its id belongs in every answer about it.
        duplicate.result.id = original.result.id
    return [plan.result for plan in plans]


def _lock_key(*parts: object) -> int:
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big", signed=True)


def _batch_lock(integration: Integration | None, batch: list[EventInput]) -> None:
    """Serialize the batches that could write the same rows, before reading what the database holds.

    - One lock per integration: its events and its guest contacts are its own, so two batches of one
      integration run one after the other and each plans on an exact snapshot (no half-sent contact
      can overwrite another batch's). Different integrations run in parallel.
    - The portal's own doors (no integration) lock per event: their batches are small and many people
      use them at once.
    - Employees are shared by everyone, so their emails lock too, hashed into a fixed number of buckets.
    The number of locks a batch holds is thereby bounded (PostgreSQL keeps advisory locks in a shared
    table of max_locks_per_transaction x max_connections entries). They are taken in one statement and
    ascending order, so batches cannot deadlock on them. PostgreSQL only: SQLite already takes its one
    write lock at BEGIN (IMMEDIATE transactions).
    """
    if connection.vendor != "postgresql":
        return
    if integration is not None:
        keys = {_lock_key("integration", integration.pk)}
    else:
        keys = {_lock_key("portal-event", ev.source_id) for ev in batch if isinstance(ev.source_id, str)}
    emails = {
        email_normalize(person.email)
        for ev in batch
        for person in (ev.host, ev.creator)
        if isinstance(person, PersonInput) and isinstance(person.email, str)
    }
    for email in emails:
        keys.add(_lock_key("employee-bucket", _lock_key("employee", email) % EMPLOYEE_LOCK_BUCKETS))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock(k)) FROM unnest(%s::bigint[]) AS k", [sorted(keys)]
        )


def _is_transient(exc: OperationalError) -> bool:
    try:
        from psycopg import errors
    except ImportError:  # pragma: no cover - psycopg is a dependency; kept for other backends
        return False
    return isinstance(exc.__cause__, errors.DeadlockDetected | errors.SerializationFailure)
