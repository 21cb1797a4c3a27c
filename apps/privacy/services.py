"""Privacy writes: retention runs, erasures, and the record of every request (shared/spec/privacy.md)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import asdict, dataclass

from django.db import transaction
from django.utils import timezone

from apps.core.bulk import rows_insert, rows_update
from apps.notifications.models import OutboxMessage
from apps.notifications.services import outbox_dispatch_on_commit
from apps.privacy.anonymise import invitations_anonymise
from apps.privacy.hashing import address_hash
from apps.privacy.models import PrivacyRecord
from apps.privacy.selectors import (
    contacts_freed,
    events_due,
    guest_contacts,
    guest_export_get,
    guest_invitations,
    guest_invitations_removable,
)
from apps.visits.actors import Actor
from apps.visits.audit import AuditChange, audit_record
from apps.visits.models import AuditEntry, Event, Invitation

RETENTION_BATCH_EVENTS = 1000
RETENTION_ACTOR = "retention"


def privacy_record_write(
    *, actor: Actor, action: str, counts: dict[str, int], address: str = "", at: dt.datetime | None = None
) -> PrivacyRecord:
    return PrivacyRecord.objects.create(
        created_at=at or timezone.now(),
        door=str(actor.door),
        user_id=actor.user.pk if actor.user is not None else None,
        actor=actor.label,
        action=action,
        address_hash=address_hash(address=address) if address else "",
        counts=counts,
    )


# --- Retention ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RetentionReport:
    events: int
    invitations: int
    contacts: int
    dryRun: bool

    def as_json(self) -> dict[str, int | bool]:
        return asdict(self)


def _retention_batch(*, now: dt.datetime, batch_events: int) -> tuple[int, int, int]:
    """Anonymise up to `batch_events` due events in one transaction: all of their guests, or none."""
    with transaction.atomic():
        event_ids = list(
            events_due(now=now)
            .order_by("id")
            .select_for_update(skip_locked=True)[:batch_events]
            .values_list("id", flat=True)
        )
        if not event_ids:
            return 0, 0, 0
        done = invitations_anonymise(invitations=Invitation.objects.filter(event_id__any_of=event_ids))
        Event.objects.filter(id__any_of=event_ids).update(anonymised_at=now, updated_at=now)
    return len(event_ids), done.invitations, done.contacts


def retention_apply(
    *,
    actor: Actor,
    dry_run: bool = False,
    now: dt.datetime | None = None,
    batch_events: int = RETENTION_BATCH_EVENTS,
) -> RetentionReport:
    """Anonymise every event due for retention; with `dry_run`, count what would go and change nothing.

    One transaction per batch of events: a run stopped half-way leaves whole batches done, and the next
    run finishes the rest. Each run is recorded once in the privacy record.
    """
    now = now or timezone.now()
    if dry_run:
        due = events_due(now=now)
        invitations = Invitation.objects.filter(event__in=due.values("pk"))
        return RetentionReport(
            events=due.count(),
            invitations=invitations.count(),
            contacts=contacts_freed(invitations=invitations).count(),
            dryRun=True,
        )
    events = invitations = contacts = 0
    while True:
        batch = _retention_batch(now=now, batch_events=batch_events)
        if batch[0] == 0:
            break
        events, invitations, contacts = events + batch[0], invitations + batch[1], contacts + batch[2]
    report = RetentionReport(events=events, invitations=invitations, contacts=contacts, dryRun=False)
    privacy_record_write(
        actor=actor,
        action=PrivacyRecord.Action.RETENTION,
        counts={"events": events, "invitations": invitations, "contacts": contacts},
        at=now,
    )
    return report


# --- Export -------------------------------------------------------------------------------------------


def guest_export(*, actor: Actor, address: str) -> dict:
    """The export document of a (normalised) address, recorded with its counts."""
    document = guest_export_get(address=address)
    privacy_record_write(
        actor=actor,
        action=PrivacyRecord.Action.EXPORTED,
        address=address,
        counts={key: len(document[key]) for key in ("contacts", "invitations", "messages")},
    )
    return document


# --- Erasure ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ErasureReport:
    invitations: int
    contacts: int
    cancelled: int

    def as_json(self) -> dict[str, int]:
        return asdict(self)


def guest_erase(*, actor: Actor, address: str, now: dt.datetime | None = None) -> ErasureReport:
    """Erase everything held about a (normalised) address, in one transaction.

    Invitations still expected at events that have not ended are cancelled first, telling each host (and
    not the guest); then every invitation of the address is anonymised and its contacts deleted.
    Cancelled invitations are marked removed, so reactivating their event never brings them back.
    """
    now = now or timezone.now()
    with transaction.atomic():
        invitations = guest_invitations(address=address)
        removable = list(
            guest_invitations_removable(address=address, now=now)
            .select_for_update()
            .order_by("id")
            .values_list("id", "event_id", "event__host_id", "sequence")
        )
        rows_update(
            model=Invitation,
            rows=[
                {
                    "id": inv_id,
                    "status": Invitation.Status.CANCELLED,
                    "cancel_reason": Invitation.CancelReason.REMOVED,
                    "cancelled_at": now,
                    "sequence": sequence + 1,
                }
                for inv_id, _event, _host, sequence in removable
            ],
            fields=["status", "cancel_reason", "cancelled_at", "sequence"],
        )
        invitations.filter(
            status=Invitation.Status.CANCELLED, cancel_reason=Invitation.CancelReason.EVENT_CANCELLED
        ).update(cancel_reason=Invitation.CancelReason.REMOVED, updated_at=now)
        audit_record(
            actor=actor,
            at=now,
            changes=[
                AuditChange(
                    event_id=event_id,
                    invitation_id=inv_id,
                    action=AuditEntry.Action.REMOVED,
                    changes={"status": (Invitation.Status.INVITED, Invitation.Status.CANCELLED)},
                )
                for inv_id, event_id, _host, _seq in removable
            ],
        )
        per_host: dict[tuple[int, int], list[int]] = defaultdict(list)
        for inv_id, event_id, host_id, _seq in removable:
            per_host[(event_id, host_id)].append(inv_id)
        message_ids = rows_insert(
            model=OutboxMessage,
            rows=[
                {
                    "kind": OutboxMessage.Kind.HOST_SUMMARY,
                    "event_id": event_id,
                    "invitation_id": None,
                    "employee_id": host_id,
                    # The host learns that a guest left at their own request, not who: the name goes too.
                    "payload": {"invited": [], "removed": inv_ids, "erased": True},
                }
                for (event_id, host_id), inv_ids in sorted(per_host.items())
            ],
        )
        contacts_without_visits = guest_contacts(address=address).filter(invitations__isnull=True)
        done = invitations_anonymise(invitations=invitations)
        _total, orphans = contacts_without_visits.delete()
        report = ErasureReport(
            invitations=done.invitations,
            contacts=done.contacts + orphans.get("visits.Contact", 0),
            cancelled=len(removable),
        )
        privacy_record_write(
            actor=actor, action=PrivacyRecord.Action.ERASED, address=address, counts=report.as_json(), at=now
        )
        outbox_dispatch_on_commit(message_ids=[pk for pk in message_ids if pk is not None])
    return report
