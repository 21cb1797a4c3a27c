"""What the audit trail records of a batch's accepted plans: one change per changed event and guest."""

from __future__ import annotations

from typing import Any

from apps.visits.audit import Action, AuditChange
from apps.visits.models import Event, Invitation
from apps.visits.sync.planning import EVENT_COLUMNS, INVITATION_COLUMNS, EventPlan, InvitationPlan
from apps.visits.sync.results import SyncAction
from apps.visits.sync.snapshot import ContactRef, Snapshot

# The calendar sequence is bookkeeping for emails, not something a person changed.
_AUDITED_INVITATION_COLUMNS = tuple(col for col in INVITATION_COLUMNS if col != "sequence")
_EMPTY = (None, "", {}, [])


def _diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {key: (old.get(key), value) for key, value in new.items() if old.get(key) != value}


def _created(values: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {key: (None, value) for key, value in values.items() if value not in _EMPTY}


def _profiles(keys: frozenset[tuple[int, str]] | None) -> list[list[Any]]:
    return [list(key) for key in sorted(keys or ())]


def audit_changes_for(
    *, plans: list[EventPlan], snapshot: Snapshot, invitation_ids: dict[int, int]
) -> list[AuditChange]:
    """The changes of the accepted plans; `invitation_ids` maps id(InvitationPlan) to its row id."""
    changes: list[AuditChange] = []
    for plan in plans:
        event_id = plan.result.id
        changes.extend(_event_change(plan, snapshot))
        overlays: dict[ContactRef, dict[str, str]] = {}
        for ref, overlay in plan.contact_overlays:
            overlays.setdefault(ref, {}).update(overlay)
        for inv in plan.invitations:
            change = _invitation_change(inv, snapshot, overlays.get(inv.contact_ref, {}))
            if change is not None:
                change.event_id = event_id
                change.invitation_id = invitation_ids[id(inv)]
                changes.append(change)
    return changes


def _event_change(plan: EventPlan, snapshot: Snapshot) -> list[AuditChange]:
    existing = plan.existing
    new = {col: plan.values[col] for col in EVENT_COLUMNS} | {
        "host": plan.host_email,
        "creator": plan.creator_email,
    }
    if existing is None:
        return [AuditChange(event_id=plan.result.id, action=Action.CREATED, changes=_created(new))]
    creator = snapshot.employees_by_id.get(existing.creator_id) if existing.creator_id else None
    old = {col: getattr(existing, col) for col in EVENT_COLUMNS} | {
        "host": snapshot.employees_by_id[existing.host_id].email,
        "creator": creator.email if creator else None,
    }
    diff = _diff(old, new)
    if set(diff) <= {"source_updated_at"}:
        return []  # only the guest list changed (a newer updatedAt with it): its rows say how
    if plan.result.action == SyncAction.DELETED:
        action = Action.CANCELLED
    elif existing.status == Event.Status.CANCELLED:
        action = Action.REACTIVATED
    else:
        action = Action.UPDATED
    return [AuditChange(event_id=plan.result.id, action=action, changes=diff)]


def _invitation_change(
    inv: InvitationPlan, snapshot: Snapshot, overlay: dict[str, str]
) -> AuditChange | None:
    new = {col: getattr(inv, col) for col in _AUDITED_INVITATION_COLUMNS}
    if inv.existing is None:
        values = {**overlay, **new, "access_profiles": _profiles(inv.profiles)}
        return AuditChange(event_id=0, action=Action.INVITED, changes=_created(values))
    old = {col: getattr(inv.existing, col) for col in _AUDITED_INVITATION_COLUMNS}
    diff = _diff(old, new)
    contact = snapshot.contact_for(inv.contact_ref)
    if contact is not None:
        diff |= _diff({col: getattr(contact, col) for col in overlay}, overlay)
    if inv.profiles is not None:
        before = _profiles(snapshot.invitation_profiles.get(inv.existing.id))
        after = _profiles(inv.profiles)
        if before != after:
            diff["access_profiles"] = (before, after)
    if not diff:
        return None
    was, now = inv.existing.status, inv.status
    cancelled = Invitation.Status.CANCELLED
    if now == cancelled and was != cancelled:
        removed = inv.cancel_reason == Invitation.CancelReason.REMOVED
        action = Action.REMOVED if removed else Action.CANCELLED
    elif was == cancelled and now != cancelled:
        action = Action.REACTIVATED
    else:
        action = Action.UPDATED
    return AuditChange(event_id=0, action=action, changes=diff)
