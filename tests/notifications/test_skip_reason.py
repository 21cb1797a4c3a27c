"""Which outbox rows are not sent: no address, or superseded by a newer change (a service decision)."""

import pytest
from django.utils import timezone

from apps.notifications import emails
from apps.notifications.models import OutboxMessage
from apps.notifications.services import outbox_message_skip_reason
from apps.visits.models import Event, Invitation
from tests.factories import EmployeeFactory, OutboxMessageFactory

pytestmark = pytest.mark.django_db

NO_LONGER_INVITED = "Superseded: the guest is no longer invited (a cancellation was recorded)."


def _cancel_invitation(invitation: Invitation) -> None:
    invitation.status = Invitation.Status.CANCELLED
    invitation.cancel_reason = Invitation.CancelReason.REMOVED
    invitation.cancelled_at = timezone.now()
    invitation.save()


def _cancel_event(event: Event) -> None:
    event.status = Event.Status.CANCELLED
    event.cancelled_at = timezone.now()
    event.save()


def test_the_decision_is_a_service_and_the_email_module_only_composes():
    assert outbox_message_skip_reason.__module__ == "apps.notifications.services"
    assert not hasattr(emails, "outbox_message_skip_reason")


def test_invitation_to_an_invited_guest_is_sent(invitation):
    message = OutboxMessageFactory(invitation=invitation)

    assert outbox_message_skip_reason(message=message) == ""


def test_guest_without_an_email_is_skipped(invitation):
    invitation.contact.email = ""
    invitation.contact.save()

    message = OutboxMessageFactory(invitation=invitation)

    assert outbox_message_skip_reason(message=message) == "The guest has no email address."


def test_host_summary_for_a_host_without_an_email_is_skipped(event):
    host = EmployeeFactory(email="")
    message = OutboxMessageFactory(
        kind=OutboxMessage.Kind.HOST_SUMMARY, invitation=None, event=event, employee=host, payload={}
    )

    assert outbox_message_skip_reason(message=message) == "The host has no email address."


@pytest.mark.parametrize("kind", [OutboxMessage.Kind.INVITATION, OutboxMessage.Kind.UPDATE])
def test_invitation_or_update_for_a_removed_guest_is_superseded(invitation, kind):
    message = OutboxMessageFactory(invitation=invitation, kind=kind)
    _cancel_invitation(invitation)

    assert outbox_message_skip_reason(message=message) == NO_LONGER_INVITED


def test_update_for_a_cancelled_event_is_superseded(invitation):
    message = OutboxMessageFactory(invitation=invitation, kind=OutboxMessage.Kind.UPDATE)
    _cancel_event(invitation.event)

    assert outbox_message_skip_reason(message=message) == NO_LONGER_INVITED


def test_cancellation_for_a_guest_invited_again_is_superseded(invitation):
    message = OutboxMessageFactory(invitation=invitation, kind=OutboxMessage.Kind.CANCELLATION)

    assert outbox_message_skip_reason(message=message) == "Superseded: the guest was invited again."


def test_cancellation_for_a_removed_guest_is_sent(invitation):
    _cancel_invitation(invitation)
    message = OutboxMessageFactory(invitation=invitation, kind=OutboxMessage.Kind.CANCELLATION)

    assert outbox_message_skip_reason(message=message) == ""
