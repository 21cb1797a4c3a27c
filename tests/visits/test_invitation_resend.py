"""One resend service for every door: refused for cancelled guests and guests without an address."""

import pytest

from apps.notifications.models import OutboxMessage
from apps.visits.actors import Actor
from apps.visits.models import Invitation
from apps.visits.services import InvitationActionRefused, invitation_resend
from apps.visits.sync import events_sync
from tests.factories import acting
from tests.visits.conftest import guest

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitations(integration, make_event):
    events_sync(
        actor=acting(integration),
        events=[make_event(invitations=[guest("g1"), guest("g2"), guest(first_name="No", last_name="Mail")])],
    )
    events_sync(
        actor=acting(integration),
        events=[make_event(invitations=[guest("g1"), guest(first_name="No", last_name="Mail")])],
    )
    return {inv.contact.source_id or "nomail": inv for inv in Invitation.objects.select_related("contact")}


def test_resending_queues_the_invitation_again_with_its_calendar_sequence(
    invitations, mailoutbox, django_capture_on_commit_callbacks
):
    invited = invitations["g1"]
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        invitation_resend(actor=Actor.of_system("tests"), invitation_id=invited.pk)

    message = OutboxMessage.objects.filter(invitation=invited).latest("id")
    assert (message.kind, message.payload, [m.to for m in mailoutbox]) == (
        "INVITATION",
        {"sequence": invited.sequence},
        [["Guest G1 <g1@example.org>"]],
    )


@pytest.mark.parametrize(
    ("who", "reason"),
    [("g2", "A cancelled invitation is not sent again."), ("nomail", "This guest has no email address.")],
)
def test_resending_is_refused_and_sends_nothing(invitations, mailoutbox, who, reason):
    before = OutboxMessage.objects.count()
    mailoutbox.clear()

    with pytest.raises(InvitationActionRefused, match=reason):
        invitation_resend(actor=Actor.of_system("tests"), invitation_id=invitations[who].pk)

    assert (OutboxMessage.objects.count(), mailoutbox) == (before, [])
