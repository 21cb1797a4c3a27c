"""Every change the engine makes is on record: who, when, which door, what, old and new values."""

import datetime as dt

import pytest
from django.contrib.auth.models import User

from apps.visits.actors import Actor, Door
from apps.visits.models import AuditEntry, Event, Invitation
from apps.visits.sync import EventInput, events_sync
from tests.factories import acting
from tests.visits.conftest import ENDS, STARTS, db_state, guest

pytestmark = pytest.mark.django_db
CANCELLED_AT = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)


def entries() -> list[tuple]:
    return [
        (entry.door, entry.actor, entry.action, entry.invitation_id is not None, entry.changes)
        for entry in AuditEntry.objects.order_by("id")
    ]


def test_creating_an_event_records_the_event_and_each_guest(integration, make_event, location):
    actor = Actor.of_integration(integration, request_id="req-1")

    events_sync(
        actor=actor, events=[make_event(description="Agenda", invitations=[guest("g1", language="DE")])]
    )

    event = Event.objects.get()
    invitation = Invitation.objects.get()
    created, invited = AuditEntry.objects.order_by("id")
    assert (created.event_id, created.invitation_id, created.action) == (event.id, None, "created")
    assert (invited.event_id, invited.invitation_id, invited.action) == (event.id, invitation.id, "invited")
    assert {(e.door, e.integration_id, e.user_id, e.actor, e.request_id) for e in (created, invited)} == {
        ("api", integration.id, None, f"Integration: {integration.name}", "req-1")
    }
    assert created.changes == {
        "name": [None, "Board meeting"],
        "description": [None, "Agenda"],
        "starts_at": [None, STARTS.astimezone(dt.UTC).isoformat()],
        "ends_at": [None, ENDS.astimezone(dt.UTC).isoformat()],
        "location_id": [None, location.id],
        "status": [None, "ACTIVE"],
        "host": [None, "ceo@example.com"],
    }
    assert invited.changes == {
        "email": [None, "g1@example.org"],
        "first_name": [None, "Guest"],
        "last_name": [None, "G1"],
        "language": [None, "DE"],
        "status": [None, "INVITED"],
    }


def test_an_identical_resend_records_nothing(integration, make_event):
    events_sync(actor=acting(integration), events=[make_event(invitations=[guest("g1")])])
    before = db_state()

    events_sync(actor=acting(integration), events=[make_event(invitations=[guest("g1")])])

    assert db_state() == before


def test_an_update_records_old_and_new_values_of_what_changed(integration, make_event):
    events_sync(actor=acting(integration), events=[make_event(invitations=[guest("g1")])])
    AuditEntry.objects.all().delete()

    events_sync(
        actor=acting(integration),
        events=[make_event(name="Board meeting (moved)", invitations=[guest("g1", company_name="Acme")])],
    )

    assert entries() == [
        (
            "api",
            f"Integration: {integration.name}",
            "updated",
            False,
            {"name": ["Board meeting", "Board meeting (moved)"]},
        ),
        ("api", f"Integration: {integration.name}", "updated", True, {"company_name": ["", "Acme"]}),
    ]


def test_removing_a_guest_records_the_removal(integration, make_event):
    events_sync(actor=acting(integration), events=[make_event(invitations=[guest("g1"), guest("g2")])])
    AuditEntry.objects.all().delete()

    events_sync(actor=acting(integration), events=[make_event(invitations=[guest("g1")])])

    [(door, _, action, on_guest, changes)] = entries()
    assert (door, action, on_guest, sorted(changes)) == (
        "api",
        "removed",
        True,
        ["cancel_reason", "cancelled_at", "status"],
    )
    assert changes["status"] == ["INVITED", "CANCELLED"]
    assert AuditEntry.objects.get().invitation == Invitation.objects.get(contact__source_id="g2")


def test_cancelling_and_reactivating_an_event_are_recorded(integration, make_event):
    events_sync(actor=acting(integration), events=[make_event(invitations=[guest("g1")])])
    AuditEntry.objects.all().delete()

    events_sync(
        actor=acting(integration), events=[EventInput(source_id="meeting-1", deleted_at=CANCELLED_AT)]
    )
    events_sync(actor=acting(integration), events=[make_event(invitations=[guest("g1")])])

    assert [(action, on_guest) for _, _, action, on_guest, _ in entries()] == [
        ("cancelled", False),
        ("cancelled", True),
        ("reactivated", False),
        ("reactivated", True),
    ]
    assert AuditEntry.objects.order_by("id")[0].changes["status"] == ["ACTIVE", "CANCELLED"]


def test_a_person_acting_through_the_portal_is_recorded_as_themselves(make_event):
    user = User.objects.create_user("ada", password="x")

    events_sync(actor=Actor.of_user(user, door=Door.PORTAL), events=[make_event()])

    entry = AuditEntry.objects.get()
    assert (entry.door, entry.user_id, entry.integration_id, entry.actor) == (
        "portal",
        user.id,
        None,
        "User: ada",
    )


def test_a_refused_event_records_nothing(integration, make_event):
    before = db_state()

    [result] = events_sync(actor=acting(integration), events=[make_event(name=None)])

    assert result.status == "ERROR_VALIDATION"
    assert db_state() == before


@pytest.mark.parametrize(
    "arguments",
    [
        {"door": Door.API},
        {"door": Door.SYSTEM, "system": "relay", "user": object()},
        {"door": Door.PORTAL, "system": "relay"},
    ],
)
def test_an_actor_is_exactly_one_of_integration_user_or_system(arguments):
    with pytest.raises(ValueError, match=r"exactly one|through"):
        Actor(**arguments)


def test_deleting_an_event_deletes_its_audit_trail(integration, make_event):
    events_sync(actor=acting(integration), events=[make_event(invitations=[guest("g1")])])

    Event.objects.all().delete()

    assert AuditEntry.objects.count() == 0


def test_deleting_an_event_deletes_its_outbox_messages(integration, make_event):
    from apps.notifications.models import OutboxMessage

    events_sync(actor=acting(integration), events=[make_event(invitations=[guest("g1")])])

    Event.objects.all().delete()

    assert OutboxMessage.objects.count() == 0
