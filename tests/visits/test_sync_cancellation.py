"""Cancelling events with deletedAt, and bringing them back."""

import datetime as dt

import pytest

from apps.notifications.models import OutboxMessage
from apps.visits.models import Event, Invitation
from apps.visits.sync import EventInput, events_sync
from tests.factories import acting
from tests.visits.conftest import db_state, guest

pytestmark = pytest.mark.django_db
DELETED_AT = dt.datetime(2026, 11, 21, 12, 0, tzinfo=dt.UTC)


def test_deleted_at_cancels_the_event_and_its_guests(integration, make_event):
    events_sync(actor=acting(integration), events=[make_event(invitations=[guest("g1"), guest("g2")])])
    OutboxMessage.objects.all().delete()

    [result] = events_sync(
        actor=acting(integration), events=[EventInput(source_id="meeting-1", deleted_at=DELETED_AT)]
    )

    event = Event.objects.get()
    assert (result.status, result.action, result.id, event.status) == (
        "SUCCESS",
        "deleted",
        event.id,
        "CANCELLED",
    )
    assert sorted(Invitation.objects.values_list("status", "cancel_reason", "sequence")) == [
        ("CANCELLED", "EVENT_CANCELLED", 1),
        ("CANCELLED", "EVENT_CANCELLED", 1),
    ]
    assert sorted(OutboxMessage.objects.values_list("kind", flat=True)) == [
        "CANCELLATION",
        "CANCELLATION",
        "HOST_SUMMARY",
    ]


def test_deleting_an_unknown_event_is_unchanged(integration):
    [result] = events_sync(
        actor=acting(integration), events=[EventInput(source_id="never-seen", deleted_at=DELETED_AT)]
    )

    assert (result.status, result.action, result.id) == ("SUCCESS", "unchanged", None)
    assert Event.objects.count() == 0


def test_deleting_a_cancelled_event_again_is_unchanged(integration, make_event):
    events_sync(actor=acting(integration), events=[make_event(invitations=[guest("g1")])])
    events_sync(actor=acting(integration), events=[EventInput(source_id="meeting-1", deleted_at=DELETED_AT)])
    before = db_state()

    [result] = events_sync(
        actor=acting(integration), events=[EventInput(source_id="meeting-1", deleted_at=DELETED_AT)]
    )

    assert (result.status, result.action) == ("SUCCESS", "unchanged")
    assert db_state() == before


def test_sending_a_cancelled_event_again_reactivates_it_with_its_guests(integration, make_event):
    events_sync(
        actor=acting(integration), events=[make_event(invitations=[guest("g1"), guest("g2"), guest("g3")])]
    )
    events_sync(actor=acting(integration), events=[make_event(invitations=[guest("g1"), guest("g2")])])
    events_sync(actor=acting(integration), events=[EventInput(source_id="meeting-1", deleted_at=DELETED_AT)])
    OutboxMessage.objects.all().delete()

    [result] = events_sync(
        actor=acting(integration), events=[EventInput(source_id="meeting-1", name="Back on")]
    )

    assert (result.action, Event.objects.get().status) == ("updated", "ACTIVE")
    assert dict(Invitation.objects.values_list("contact__source_id", "status")) == {
        "g1": "INVITED",
        "g2": "INVITED",
        "g3": "CANCELLED",
    }
    assert sorted(
        OutboxMessage.objects.exclude(kind="HOST_SUMMARY").values_list(
            "kind", "invitation__contact__source_id"
        )
    ) == [("INVITATION", "g1"), ("INVITATION", "g2")]
