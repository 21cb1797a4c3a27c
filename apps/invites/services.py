"""Writes of the invite portal. Visits change only through the engine, as over the sync API."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from apps.notifications.models import OutboxMessage
from apps.notifications.services import outbox_dispatch_on_commit
from apps.visits.actors import Actor, Door
from apps.visits.models import Event, Invitation
from apps.visits.sync import EventInput, EventSyncResult, events_sync


def visit_sync(*, user: AbstractBaseUser, event: EventInput) -> EventSyncResult:
    """Bring one portal visit to the desired state (create, change or cancel it) as this user."""
    [result] = events_sync(actor=Actor.of_user(user, door=Door.PORTAL), events=[event])
    return result


def visit_cancel(*, user: AbstractBaseUser, event: Event) -> EventSyncResult:
    """Cancel a portal visit; every guest still invited gets a cancellation."""
    return visit_sync(user=user, event=EventInput(source_id=event.source_id, deleted_at=timezone.now()))


def invitation_resend(*, user: AbstractBaseUser, invitation: Invitation) -> bool:
    """Send an invited guest their invitation again (same calendar entry); False if they are not invited.

    The message goes through the outbox like every guest email, after commit.
    """
    with transaction.atomic():
        locked = (
            Invitation.objects.select_for_update()
            .filter(pk=invitation.pk, status=Invitation.Status.INVITED, event__status=Event.Status.ACTIVE)
            .values_list("pk", "event_id", "sequence")
            .first()
        )
        if locked is None:
            return False
        pk, event_id, sequence = locked
        message = OutboxMessage.objects.create(
            kind=OutboxMessage.Kind.INVITATION,
            event_id=event_id,
            invitation_id=pk,
            payload={"sequence": sequence, "resent_by": user.get_username()},
        )
        outbox_dispatch_on_commit(message_ids=[message.pk])
    return True
