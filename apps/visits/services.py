"""Writes on visits. Events, invitations and contacts change only through the reconciliation engine."""

from __future__ import annotations

import uuid

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from apps.notifications.models import OutboxMessage
from apps.notifications.services import outbox_dispatch_on_commit
from apps.visits.actors import Actor
from apps.visits.models import Event, Invitation
from apps.visits.sync import events_sync

__all__ = [
    "InvitationActionRefused",
    "events_sync",
    "invitation_resend",
    "portal_event_source_id_new",
]


class InvitationActionRefused(Exception):
    """An action on one guest that cannot be done, with a translatable reason; nothing was changed."""

    def __init__(self, message: str | Promise) -> None:
        super().__init__(str(message))
        self.message = message


def portal_event_source_id_new() -> str:
    """The key of an event made in the portal itself (invite portal, admin), unique like a synced one's."""
    return f"portal-{uuid.uuid4()}"


def invitation_resend(*, actor: Actor, invitation_id: int) -> None:
    """Send the guest their invitation (same calendar entry, QR code) again, as it stands now.

    Refused for a cancelled guest or visit and for a guest without an email address. The message goes
    through the outbox after commit, like every guest email. `actor` is who asked (the front desk, the
    host in the portal); a resend changes no visit, so it leaves no audit entry.
    """
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("contact", "event")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None:
            raise InvitationActionRefused(_("No such invitation."))
        if (
            invitation.status == Invitation.Status.CANCELLED
            or invitation.event.status == Event.Status.CANCELLED
        ):
            raise InvitationActionRefused(_("A cancelled invitation is not sent again."))
        if not invitation.contact.email:
            raise InvitationActionRefused(_("This guest has no email address."))
        message = OutboxMessage.objects.create(
            kind=OutboxMessage.Kind.INVITATION,
            event_id=invitation.event_id,
            invitation=invitation,
            payload={"sequence": invitation.sequence},
        )
        outbox_dispatch_on_commit(message_ids=[message.pk])
