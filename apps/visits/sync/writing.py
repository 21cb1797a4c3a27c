"""Apply the accepted plans of a batch with set-based statements: a fixed number whatever the batch size.

New rows go in with one INSERT per table and changed rows with one set-based UPDATE per table (see
`apps.core.bulk`). Rows that other requests
may create at the same moment (employees, shared contacts, access profiles) are upserted on their natural
key and in a sorted order, so concurrent batches wait for each other instead of failing or deadlocking.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import models
from django.utils import timezone

from apps.core.bulk import rows_insert, rows_update, rows_update_guarded
from apps.directory.models import AccessProfile, Employee
from apps.integrations.models import Integration
from apps.notifications.models import OutboxMessage
from apps.notifications.services import outbox_dispatch_on_commit
from apps.visits.actors import Actor
from apps.visits.audit import audit_record
from apps.visits.models import Contact, Event, Invitation
from apps.visits.sync.auditing import audit_changes_for
from apps.visits.sync.planning import (
    CONTACT_COLUMNS,
    EMPLOYEE_COLUMNS,
    EVENT_COLUMNS,
    INVITATION_COLUMNS,
    EventPlan,
    InvitationPlan,
    overlay_differs,
)
from apps.visits.sync.results import SyncAction
from apps.visits.sync.snapshot import ContactRef, ProfileKey, Snapshot
from apps.webhooks.services import webhook_invitations_cancelled_record

Row = dict[str, Any]
# What a check-in or check-out changes too: the engine writes these only where the status is as it read it.
STATUS_COLUMNS = ("status", "cancel_reason", "cancelled_at")


def plans_apply(*, actor: Actor, plans: list[EventPlan], snapshot: Snapshot) -> None:
    integration = actor.integration
    accepted = [plan for plan in plans if plan.accepted]
    if not accepted:
        return  # an unchanged event's people equal what is stored: nothing to write, nothing to undo
    # People are shared across events, and within one request the last occurrence wins, even when it
    # comes with an event that is otherwise unchanged (it may undo what an earlier event changed).
    speaking = [plan for plan in plans if plan.result.ok and plan.result.action is not SyncAction.OUTDATED]
    employee_ids = _write_employees(speaking, snapshot)
    contact_ids = _write_contacts(integration, speaking, snapshot)
    profile_ids = _write_access_profiles(accepted, snapshot)
    _write_events(integration, accepted, employee_ids)
    invitation_ids = _write_invitations(accepted, contact_ids)
    _write_invitation_profiles(invitation_ids, profile_ids)
    _write_outbox(integration, accepted, employee_ids)
    audit_record(
        actor=actor,
        changes=audit_changes_for(
            plans=accepted, snapshot=snapshot, invitation_ids={id(inv): pk for inv, pk in invitation_ids}
        ),
    )


def _update_by_pk(model: type[models.Model], rows: list[Row], fields: list[str]) -> None:
    # In id order, so two batches updating overlapping rows lock them in the same order.
    rows_update(model=model, rows=sorted(rows, key=lambda row: row["id"]), fields=fields)


def _write_employees(plans: list[EventPlan], snapshot: Snapshot) -> dict[str, int]:
    desired: dict[str, dict[str, str]] = {}
    for plan in plans:
        for email, overlay in plan.employee_overlays:
            if email not in desired:
                known = snapshot.employees_by_email.get(email)
                if not overlay_differs(known, overlay):
                    continue  # changes nothing, and there is no earlier change in the batch to undo
                desired[email] = {col: getattr(known, col) if known else "" for col in EMPLOYEE_COLUMNS}
            desired[email].update(overlay)  # within one request, the last occurrence wins

    ids = {email: employee.id for email, employee in snapshot.employees_by_email.items()}
    rows: list[Row] = []
    for email in sorted(desired):
        known = snapshot.employees_by_email.get(email)
        if overlay_differs(known, desired[email]):
            rows.append({"email": email, **desired[email]})
    if rows:
        # Upsert on the email: another request creating the same employee meanwhile is simply updated.
        pks = rows_insert(
            model=Employee, rows=rows, conflict_fields=["email"], update_fields=list(EMPLOYEE_COLUMNS)
        )
        ids.update({row["email"]: pk for row, pk in zip(rows, pks, strict=True)})
    return ids


def _write_contacts(
    integration: Integration | None, plans: list[EventPlan], snapshot: Snapshot
) -> dict[ContactRef, int]:
    integration_id = integration.pk if integration else None
    desired: dict[ContactRef, dict[str, str]] = {}
    for plan in plans:
        for ref, overlay in plan.contact_overlays:
            if ref not in desired:
                known = snapshot.contact_for(ref)
                if not overlay_differs(known, overlay):
                    continue  # changes nothing, and there is no earlier change in the batch to undo
                desired[ref] = {col: getattr(known, col) if known else "" for col in CONTACT_COLUMNS}
            desired[ref].update(overlay)

    ids: dict[ContactRef, int] = {("sid", sid): c.id for sid, c in snapshot.contacts.items()}
    ids.update({("pk", pk): pk for pk in snapshot.contacts_by_id})
    shared_new: list[Row] = []
    private_new: list[tuple[ContactRef, Row]] = []
    changed: list[Row] = []
    for ref in sorted(desired, key=lambda r: (r[0], str(r[1]))):
        values = desired[ref]
        known = snapshot.contact_for(ref)
        if known is not None:
            if overlay_differs(known, values):
                changed.append({"id": known.id, **values})
        elif ref[0] == "sid":
            shared_new.append({"integration_id": integration_id, "source_id": ref[1], **values})
        else:
            private_new.append((ref, {"integration_id": integration_id, "source_id": None, **values}))

    if shared_new:
        # Another request may create the same shared contact meanwhile: upsert on its natural key.
        # Portal-made contacts have no integration, and NULLs never conflict, so theirs are plain inserts.
        shared = integration_id is not None
        pks = rows_insert(
            model=Contact,
            rows=shared_new,
            conflict_fields=["integration", "source_id"] if shared else (),
            update_fields=list(CONTACT_COLUMNS) if shared else (),
        )
        ids.update({("sid", row["source_id"]): pk for row, pk in zip(shared_new, pks, strict=True)})
    if private_new:
        pks = rows_insert(model=Contact, rows=[row for _, row in private_new])
        ids.update({ref: pk for (ref, _), pk in zip(private_new, pks, strict=True)})
    _update_by_pk(Contact, changed, list(CONTACT_COLUMNS))
    return ids


def _write_access_profiles(plans: list[EventPlan], snapshot: Snapshot) -> dict[ProfileKey, int]:
    wanted: set[ProfileKey] = set()
    for plan in plans:
        for inv in plan.invitations:
            if inv.profiles:
                wanted |= inv.profiles
    ids = dict(snapshot.profiles)
    unseen = sorted(wanted - ids.keys())
    if unseen:
        # Profiles the portal has not seen are created on first use; a concurrent creator is fine.
        rows_insert(
            model=AccessProfile,
            rows=[{"partition_id": p, "source_id": s} for p, s in unseen],
            ignore_conflicts=True,
        )
        for pk, partition_id, source_id in AccessProfile.objects.filter(
            partition_id__in={p for p, _ in unseen}, source_id__in={s for _, s in unseen}
        ).values_list("id", "partition_id", "source_id"):
            ids[(partition_id, source_id)] = pk
    return ids


def _write_events(
    integration: Integration | None, plans: list[EventPlan], employee_ids: dict[str, int]
) -> None:
    new_rows: list[tuple[EventPlan, Row]] = []
    changed: list[Row] = []
    for plan in plans:
        host_id = employee_ids[plan.host_email]
        creator_id = employee_ids[plan.creator_email] if plan.creator_email else None
        existing = plan.existing
        if existing is None:
            row = {
                "integration_id": integration.pk if integration else None,
                "source_id": plan.result.source_id,
                "host_id": host_id,
                "creator_id": creator_id,
                **plan.values,
            }
            new_rows.append((plan, row))
        else:
            # Every accepted change touches the event row, if only its updated_at: a guest-list change
            # is a change of the event for `updatedSince` readers.
            changed.append({"id": existing.id, "host_id": host_id, "creator_id": creator_id, **plan.values})
    if new_rows:
        pks = rows_insert(model=Event, rows=[row for _, row in new_rows])
        for (plan, _), pk in zip(new_rows, pks, strict=True):
            plan.result.id = pk
    _update_by_pk(Event, changed, [*EVENT_COLUMNS, "host", "creator"])


def _write_invitations(
    plans: list[EventPlan], contact_ids: dict[ContactRef, int]
) -> list[tuple[InvitationPlan, int]]:
    """Writes new and changed invitations; returns every planned invitation with its id."""
    new_rows: list[tuple[InvitationPlan, Row]] = []
    changed: list[Row] = []
    changed_plans: dict[int, InvitationPlan] = {}
    for plan in plans:
        for inv in plan.invitations:
            values = {col: getattr(inv, col) for col in INVITATION_COLUMNS}
            row = inv.existing
            if row is None:
                new_rows.append(
                    (inv, {"event_id": plan.result.id, "contact_id": contact_ids[inv.contact_ref], **values})
                )
            elif inv.row_changed:
                changed.append({"id": row.id, **values, "status__read": row.status})
                changed_plans[row.id] = inv
    if new_rows:
        pks = rows_insert(model=Invitation, rows=[row for _, row in new_rows])
        for (inv, _), pk in zip(new_rows, pks, strict=True):
            inv.row_pk = pk
    # The guest's status is written only where it is still what the snapshot read: a check-in (or
    # check-out) that committed after the snapshot is never overwritten, and what this batch planned for
    # that guest (a cancellation, an update email) no longer applies.
    statuses = rows_update_guarded(
        model=Invitation,
        rows=sorted(changed, key=lambda row: row["id"]),
        fields=[col for col in INVITATION_COLUMNS if col not in STATUS_COLUMNS],
        guarded_fields=list(STATUS_COLUMNS),
        guard="status",
    )
    for pk, status in statuses.items():
        inv = changed_plans[pk]
        if status != inv.status:
            inv.status, inv.cancel_reason, inv.cancelled_at = (
                inv.existing.status,
                inv.existing.cancel_reason,
                inv.existing.cancelled_at,
            )
            inv.message = None
    return [
        (inv, inv.existing.id if inv.existing else inv.row_pk) for plan in plans for inv in plan.invitations
    ]


def _write_invitation_profiles(
    rows: list[tuple[InvitationPlan, int]], profile_ids: dict[ProfileKey, int]
) -> None:
    through = Invitation.access_profiles.through
    replaced = [pk for inv, pk in rows if inv.profiles is not None and inv.existing is not None]
    if replaced:
        through.objects.filter(invitation_id__in=replaced).delete()
    rows_insert(
        model=through,
        rows=[
            {"invitation_id": pk, "accessprofile_id": profile_ids[key]}
            for inv, pk in rows
            if inv.profiles
            for key in sorted(inv.profiles)
        ],
    )


def _write_outbox(
    integration: Integration | None, plans: list[EventPlan], employee_ids: dict[str, int]
) -> None:
    kind = OutboxMessage.Kind
    messages: list[Row] = []
    # One confirmation per host per request, for changes an external system made on the host's behalf;
    # a cancelled event gets a confirmation of its own, which says that the event was cancelled.
    summaries: dict[tuple[int, int | None], dict[str, Any]] = defaultdict(
        lambda: {"event_id": None, "invited": [], "removed": []}
    )
    for plan in plans:
        host_id = employee_ids[plan.host_email]
        cancelled = plan.result.action is SyncAction.DELETED
        key = (host_id, plan.result.id if cancelled else None)
        if integration is not None and cancelled:
            summaries[key]["event_id"] = plan.result.id
        for inv in plan.invitations:
            if inv.message is None:
                continue
            invitation_id = inv.existing.id if inv.existing else inv.row_pk
            messages.append(
                {
                    "kind": inv.message,
                    "event_id": plan.result.id,
                    "invitation_id": invitation_id,
                    "employee_id": None,
                    "payload": {"sequence": inv.sequence},
                }
            )
            if integration is not None and inv.message in (kind.INVITATION, kind.CANCELLATION):
                summary = summaries[key]
                summary["event_id"] = summary["event_id"] or plan.result.id
                summary["invited" if inv.message == kind.INVITATION else "removed"].append(invitation_id)
    for (host_id, cancelled_event_id), summary in summaries.items():
        messages.append(
            {
                "kind": kind.HOST_SUMMARY,
                "event_id": summary["event_id"],
                "invitation_id": None,
                "employee_id": host_id,
                "payload": {
                    "invited": summary["invited"],
                    "removed": summary["removed"],
                    "event_cancelled": cancelled_event_id is not None,
                },
            }
        )
    if messages:
        outbox_dispatch_on_commit(message_ids=rows_insert(model=OutboxMessage, rows=messages))
    # Integrations that subscribed to invitation.cancelled hear of each cancellation (apps/webhooks).
    cancelled = [
        (row["invitation_id"], row["payload"]["sequence"])
        for row in messages
        if row["kind"] == kind.CANCELLATION
    ]
    if cancelled:
        webhook_invitations_cancelled_record(cancellations=cancelled, at=timezone.now())
