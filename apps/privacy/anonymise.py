"""Anonymising invitations, set-based: a fixed number of statements for any number of invitations.

Shared by retention (whole events) and erasure (one guest's invitations). What goes and what stays is
the contract's (shared/spec/privacy.md, "Anonymising"): the invitation keeps its event, status,
language and times, and points at a blank contact of its own (no source id, so no later sync can find it
and fill it again); its custom field values, access profiles, guest messages, webhook bodies and guest
values in the audit trail go; a contact no other invitation needs is deleted (or, used by this
invitation alone, blanked in place as its blank contact).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.admin.models import LogEntry
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from apps.core.bulk import rows_insert, rows_update
from apps.notifications.models import OutboxMessage
from apps.visits.models import AuditEntry, CheckIn, Contact, Invitation
from apps.webhooks.models import EventType, WebhookAttempt, WebhookDelivery

# What the audit trail may hold about a guest (the engine's own names for the contact and the guest's
# values); replaced by null in the rows of an anonymised invitation.
GUEST_AUDIT_KEYS = frozenset(
    {"email", "first_name", "last_name", "company_name", "custom_fields", "access_profiles", "contact"}
)
BLANK_CONTACT = {
    "integration_id": None,
    "source_id": None,
    "email": "",
    "first_name": "",
    "last_name": "",
    "company_name": "",
}
GUEST_MESSAGE_KINDS = (
    OutboxMessage.Kind.INVITATION,
    OutboxMessage.Kind.UPDATE,
    OutboxMessage.Kind.CANCELLATION,
)


@dataclass(frozen=True, slots=True)
class Anonymised:
    invitations: int
    contacts: int


def _audit_blank(changes: dict[str, Any]) -> dict[str, Any]:
    return {name: ([None, None] if name in GUEST_AUDIT_KEYS else pair) for name, pair in changes.items()}


def _audit_rows_blank(*, invitation_ids: list[int]) -> None:
    """Null the guest values in the audit rows of these invitations: one statement."""
    if connection.vendor == "postgresql":
        # In the database: the rows' JSON never travels to Python and back.
        table = connection.ops.quote_name(AuditEntry._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                UPDATE {table} SET changes = (
                    SELECT jsonb_object_agg(
                        k, CASE WHEN k = ANY(%(keys)s) THEN '[null, null]'::jsonb ELSE v END
                    )
                    FROM jsonb_each(changes) AS e(k, v)
                )
                WHERE invitation_id = ANY(%(ids)s) AND changes ?| %(keys)s
                """,
                {"keys": sorted(GUEST_AUDIT_KEYS), "ids": invitation_ids},
            )
        return
    rows_update(
        model=AuditEntry,
        rows=[
            {"id": entry_id, "changes": _audit_blank(changes)}
            for entry_id, changes in AuditEntry.objects.filter(
                invitation_id__any_of=invitation_ids
            ).values_list("id", "changes")
            if GUEST_AUDIT_KEYS & changes.keys()
        ],
        fields=["changes"],
    )


def _webhook_keys(invitations: Sequence[tuple[int, int, int]], check_in_ids: Sequence[int]) -> list[str]:
    keys = [
        f"{EventType.INVITATION_CANCELLED}:{inv_id}:{sequence}"
        for inv_id, _contact_id, last in invitations
        for sequence in range(last + 1)
    ]
    for check_in_id in check_in_ids:
        keys.append(f"{EventType.CHECKIN_CREATED}:{check_in_id}")
        keys.append(f"{EventType.CHECKIN_UPDATED}:{check_in_id}")
    return keys


def invitations_anonymise(*, invitations: QuerySet[Invitation]) -> Anonymised:
    """Anonymise the invitations `invitations` selects (a queryset: its rows are read once, here).

    Runs in the caller's transaction. Invitations already anonymised are anonymised again harmlessly
    (their blank contact is replaced by another blank one), so callers select those still holding data.
    """
    rows = list(invitations.order_by("id").values_list("id", "contact_id", "sequence"))
    if not rows:
        return Anonymised(invitations=0, contacts=0)
    ids = [inv_id for inv_id, _contact, _seq in rows]
    uses = Counter(contact_id for _inv, contact_id, _seq in rows)
    batch = set(ids)
    # Read back rather than `id NOT IN (batch)` in SQL, which PostgreSQL checks against the whole list
    # for every row (quadratic: a second for 20,000 invitations).
    needed_elsewhere = {
        contact_id
        for inv_id, contact_id in Invitation.objects.filter(contact_id__any_of=list(uses))
        .order_by()
        .values_list("id", "contact_id")
        if inv_id not in batch
    }
    # A contact only this invitation uses is blanked where it is: it becomes the invitation's blank
    # contact (the common case, and far cheaper than a new row and a repointed invitation). A contact
    # several of these invitations share, or a later visit still needs, stays as it is for now, and each
    # of its invitations here gets a new blank contact (so anonymised visits are not linked to each other).
    in_place = sorted(c for c, n in uses.items() if n == 1 and c not in needed_elsewhere)
    Contact.objects.filter(id__any_of=in_place).update(**BLANK_CONTACT, updated_at=timezone.now())
    in_place_set = set(in_place)
    moved = [inv_id for inv_id, contact_id, _seq in rows if contact_id not in in_place_set]
    blank_ids = rows_insert(model=Contact, rows=[BLANK_CONTACT for _ in moved])
    rows_update(
        model=Invitation,
        rows=[
            {"id": inv_id, "contact_id": blank_id} for inv_id, blank_id in zip(moved, blank_ids, strict=True)
        ],
        fields=["contact"],
    )
    Invitation.objects.filter(id__any_of=ids).update(custom_fields={}, updated_at=timezone.now())
    Invitation.access_profiles.through.objects.filter(invitation_id__any_of=ids).delete()
    OutboxMessage.objects.filter(invitation_id__any_of=ids, kind__in=GUEST_MESSAGE_KINDS).delete()

    check_in_ids = list(CheckIn.objects.filter(invitation_id__any_of=ids).values_list("id", flat=True))
    # Webhook bodies are the exact bytes sent: they cannot be blanked, only dropped (with their attempts).
    deliveries = WebhookDelivery.objects.filter(message_key__any_of=_webhook_keys(rows, check_in_ids))
    WebhookAttempt.objects.filter(delivery__in=deliveries.values("pk")).delete()
    # Raw deletes (one statement each, whether or not rows match): the collector would first read every
    # row; nothing else points at these rows any more (attempts gone, contacts unreferenced).
    deliveries._raw_delete(deliveries.db)

    _audit_rows_blank(invitation_ids=ids)
    # The admin's own history names an object by its text (a contact's or an invitation's is the guest).
    LogEntry.objects.filter(
        Q(
            content_type__app_label="visits",
            content_type__model="invitation",
            object_id__any_of=list(map(str, ids)),
        )
        | Q(
            content_type__app_label="visits",
            content_type__model="contact",
            object_id__any_of=list(map(str, uses)),
        )
    ).delete()

    still_needed = Invitation.objects.filter(contact_id=OuterRef("pk"))
    shared = sorted(uses.keys() - in_place_set)
    freed = Contact.objects.filter(id__any_of=shared).exclude(Exists(still_needed))
    return Anonymised(invitations=len(ids), contacts=len(in_place) + freed._raw_delete(freed.db))
