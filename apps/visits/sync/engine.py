"""The reconciliation engine: the one writer of events, invitations and guest contacts.

`events_sync` takes the desired state of some events, compares it with the database and applies the
difference in one transaction, recording what each change owes to guests as outbox rows.
"""

from __future__ import annotations

import gc
import hashlib
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.db import OperationalError, connection, transaction

from apps.integrations.models import Integration
from apps.visits.sync.inputs import EventInput
from apps.visits.sync.planning import EventPlan, EventPlanner
from apps.visits.sync.results import EventSyncResult, FieldError, SyncStatus
from apps.visits.sync.snapshot import snapshot_load
from apps.visits.sync.writing import plans_apply

logger = logging.getLogger(__name__)

# A batch that loses a deadlock or serialization race is retried whole; it never reaches the client.
MAX_ATTEMPTS = 5


def events_sync(
    *, integration: Integration | None, events: Sequence[EventInput], ignore_missing_invitations: bool = False
) -> list[EventSyncResult]:
    """Bring the given events to the state described; one result per event, in input order.

    Never raises for anything the caller could send: bad events get an error result and change nothing.
    """
    batch = list(events)
    if not batch:
        return []
    attempts = 1 if connection.in_atomic_block else MAX_ATTEMPTS
    with _cyclic_gc_paused():
        for attempt in range(1, attempts + 1):
            try:
                with transaction.atomic():
                    return _sync_batch(integration, batch, ignore_missing_invitations)
            except OperationalError as exc:
                if attempt == attempts or not _is_transient(exc):
                    raise
                logger.info("events_sync retry %s after %s", attempt, type(exc.__cause__).__name__)
    raise AssertionError("unreachable")


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause automatic cyclic garbage collection for one (bounded) batch.

    A batch allocates some 100,000 short-lived objects without reference cycles, which reference
    counting frees anyway; meanwhile the allocations trigger generational passes over the whole heap,
    which measured up to 40% of a 1,000-event re-send (bench_sync). The previous state is restored.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _sync_batch(
    integration: Integration | None, batch: list[EventInput], ignore_missing_invitations: bool
) -> list[EventSyncResult]:
    source_ids = {ev.source_id for ev in batch if isinstance(ev.source_id, str)}
    _lock_source_ids(integration, source_ids)
    snapshot = snapshot_load(integration=integration, events=batch)
    planner = EventPlanner(snapshot=snapshot, ignore_missing_invitations=ignore_missing_invitations)

    plans: list[EventPlan] = []
    seen: set[str] = set()
    for index, event in enumerate(batch):
        source_id = event.source_id if isinstance(event.source_id, str) else None
        if source_id is not None and source_id in seen:
            existing = snapshot.events.get(source_id)
            result = EventSyncResult(
                source_id=source_id,
                status=SyncStatus.ERROR_DUPLICATE_SOURCE_ID,
                id=existing.id if existing else None,
                errors=[
                    FieldError(
                        "sourceId", "This sourceId appears earlier in the request; only the first counts."
                    )
                ],
            )
            plans.append(EventPlan(index=index, result=result))
            continue
        if source_id is not None:
            seen.add(source_id)
        plans.append(planner.plan(index=index, event=event))

    plans_apply(integration=integration, plans=plans, snapshot=snapshot)
    return [plan.result for plan in plans]


def _lock_key(integration: Integration | None, source_id: str) -> int:
    digest = hashlib.blake2b(f"{integration.pk if integration else 0}:{source_id}".encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big", signed=True)


def _lock_source_ids(integration: Integration | None, source_ids: set[str]) -> None:
    """Serialize batches that touch the same events, so none creates an event another is creating.

    PostgreSQL only; SQLite already takes its single write lock at BEGIN (IMMEDIATE transactions).
    Keys are locked in ascending order so two overlapping batches cannot deadlock on them.
    """
    if connection.vendor != "postgresql" or not source_ids:
        return
    keys = sorted({_lock_key(integration, sid) for sid in source_ids})
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(pg_advisory_xact_lock(k)) FROM unnest(%s::bigint[]) AS k", [keys])


def _is_transient(exc: OperationalError) -> bool:
    try:
        from psycopg import errors
    except ImportError:  # pragma: no cover - psycopg is a dependency; kept for other backends
        return False
    return isinstance(exc.__cause__, errors.DeadlockDetected | errors.SerializationFailure)
