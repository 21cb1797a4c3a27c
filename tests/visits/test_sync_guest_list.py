"""The guest list: complete lists, ignoreMissingInvitations, matching, removal and re-invitation."""

import datetime as dt

import pytest

from apps.notifications.models import OutboxMessage
from apps.visits.models import Invitation
from apps.visits.sync import EventInput, events_sync
from tests.factories import acting
from tests.visits.conftest import db_state, guest
from tests.visits.wire import WireError, wire

pytestmark = pytest.mark.django_db
REMOVED_AT = dt.datetime(2026, 11, 21, 12, 0, tzinfo=dt.UTC)


def statuses() -> dict[str, tuple[str, str]]:
    return {
        inv.contact.source_id or inv.contact.email: (inv.status, inv.cancel_reason)
        for inv in Invitation.objects.select_related("contact")
    }


def outbox() -> list[tuple[str, str | None]]:
    return [
        (m.kind, m.invitation.contact.source_id if m.invitation_id else m.employee.email)
        for m in OutboxMessage.objects.select_related("invitation__contact", "employee").order_by("id")
    ]


def test_new_event_invites_every_listed_guest(integration, make_event):
    events_sync(
        actor=acting(integration), events=[make_event(invitations=[guest("g1"), guest("g2"), guest("g3")])]
    )

    assert statuses() == {"g1": ("INVITED", ""), "g2": ("INVITED", ""), "g3": ("INVITED", "")}
    assert outbox() == [
        ("INVITATION", "g1"),
        ("INVITATION", "g2"),
        ("INVITATION", "g3"),
        ("HOST_SUMMARY", "ceo@example.com"),
    ]


def test_guest_missing_from_a_complete_list_is_removed(integration, make_event):
    events_sync(actor=acting(integration), events=[make_event(invitations=[guest("g1"), guest("g2")])])
    OutboxMessage.objects.all().delete()

    [result] = events_sync(actor=acting(integration), events=[make_event(invitations=[guest("g1")])])

    assert result.action == "updated"
    assert statuses() == {"g1": ("INVITED", ""), "g2": ("CANCELLED", "REMOVED")}
    assert outbox() == [("CANCELLATION", "g2"), ("HOST_SUMMARY", "ceo@example.com")]


def test_absent_invitations_leave_the_guest_list_alone(integration, make_event):
    events_sync(actor=acting(integration), events=[make_event(invitations=[guest("g1"), guest("g2")])])

    events_sync(actor=acting(integration), events=[EventInput(source_id="meeting-1", name="Renamed")])

    assert statuses() == {"g1": ("INVITED", ""), "g2": ("INVITED", "")}


def test_empty_list_removes_every_guest(integration, make_event):
    events_sync(actor=acting(integration), events=[make_event(invitations=[guest("g1"), guest("g2")])])

    events_sync(actor=acting(integration), events=[EventInput(source_id="meeting-1", invitations=[])])

    assert statuses() == {"g1": ("CANCELLED", "REMOVED"), "g2": ("CANCELLED", "REMOVED")}


def test_null_invitations_is_a_validation_error(integration, make_event):
    events_sync(actor=acting(integration), events=[make_event(invitations=[guest("g1")])])
    before = db_state()

    [result] = events_sync(
        actor=acting(integration), events=[EventInput(source_id="meeting-1", invitations=None)]
    )

    assert (result.status, [e.field for e in wire(result)]) == ("ERROR_VALIDATION", ["invitations"])
    assert db_state() == before


def test_ignore_missing_keeps_unlisted_guests_and_adds_new_ones(integration, make_event):
    events_sync(actor=acting(integration), events=[make_event(invitations=[guest("g1")])])
    OutboxMessage.objects.all().delete()

    events_sync(
        actor=acting(integration),
        events=[EventInput(source_id="meeting-1", invitations=[guest("g2")])],
        ignore_missing_invitations=True,
    )

    assert statuses() == {"g1": ("INVITED", ""), "g2": ("INVITED", "")}
    assert outbox() == [("INVITATION", "g2"), ("HOST_SUMMARY", "ceo@example.com")]


def test_ignore_missing_removes_a_listed_guest_with_deleted_at(integration, make_event):
    events_sync(actor=acting(integration), events=[make_event(invitations=[guest("g1"), guest("g2")])])
    OutboxMessage.objects.all().delete()

    events_sync(
        actor=acting(integration),
        events=[EventInput(source_id="meeting-1", invitations=[guest("g2", deleted_at=REMOVED_AT)])],
        ignore_missing_invitations=True,
    )

    assert statuses() == {"g1": ("INVITED", ""), "g2": ("CANCELLED", "REMOVED")}
    assert outbox() == [("CANCELLATION", "g2"), ("HOST_SUMMARY", "ceo@example.com")]


def test_removing_an_unknown_guest_changes_nothing(integration, make_event):
    events_sync(actor=acting(integration), events=[make_event(invitations=[guest("g1")])])
    before = db_state()

    [result] = events_sync(
        actor=acting(integration),
        events=[EventInput(source_id="meeting-1", invitations=[guest("nobody", deleted_at=REMOVED_AT)])],
        ignore_missing_invitations=True,
    )

    assert (result.status, result.action) == ("SUCCESS", "unchanged")
    assert db_state() == before


def test_removed_guest_listed_again_is_invited_again(integration, make_event):
    events_sync(actor=acting(integration), events=[make_event(invitations=[guest("g1"), guest("g2")])])
    events_sync(actor=acting(integration), events=[make_event(invitations=[guest("g1")])])
    OutboxMessage.objects.all().delete()

    events_sync(actor=acting(integration), events=[make_event(invitations=[guest("g1"), guest("g2")])])

    g2 = Invitation.objects.get(contact__source_id="g2")
    assert (g2.status, g2.cancel_reason, g2.sequence) == ("INVITED", "", 2)
    assert outbox() == [("INVITATION", "g2"), ("HOST_SUMMARY", "ceo@example.com")]


def test_guest_without_source_id_is_matched_by_email_and_name(integration, make_event):
    first = guest(email="Jane@Example.org", first_name="Jane", last_name="Doe")
    events_sync(actor=acting(integration), events=[make_event(invitations=[first])])
    again = guest(email="jane@example.org", first_name=" jane ", last_name="DOE", company_name="Initech")

    events_sync(actor=acting(integration), events=[make_event(invitations=[again])])

    invitation = Invitation.objects.select_related("contact").get()
    assert (invitation.status, invitation.contact.company_name) == ("INVITED", "Initech")


def test_guest_without_source_id_and_another_name_is_a_new_guest(integration, make_event):
    events_sync(
        actor=acting(integration),
        events=[make_event(invitations=[guest(email="j@example.org", first_name="Jane")])],
    )

    events_sync(
        actor=acting(integration),
        events=[make_event(invitations=[guest(email="j@example.org", first_name="Janet")])],
    )

    assert sorted(Invitation.objects.values_list("contact__first_name", "status")) == [
        ("Jane", "CANCELLED"),
        ("Janet", "INVITED"),
    ]


def test_two_invitations_with_the_same_source_id_are_duplicates(integration, make_event):
    [result] = events_sync(
        actor=acting(integration), events=[make_event(invitations=[guest("g1"), guest("g1")])]
    )

    assert (result.status, wire(result)) == (
        "ERROR_DUPLICATE_INVITATION",
        [WireError("invitations[1]", "Another invitation of this event has the same sourceId 'g1'.")],
    )
    assert Invitation.objects.count() == 0


def test_two_invitations_with_the_same_email_and_name_are_duplicates(integration, make_event):
    same = {"email": "j@example.org", "first_name": "Jane", "last_name": "Doe"}

    [result] = events_sync(
        actor=acting(integration), events=[make_event(invitations=[guest(**same), guest(**same)])]
    )

    assert (result.status, [e.field for e in wire(result)]) == (
        "ERROR_DUPLICATE_INVITATION",
        ["invitations[1]"],
    )


def test_invitation_with_neither_email_nor_name_is_a_validation_error(integration, make_event):
    [result] = events_sync(
        actor=acting(integration), events=[make_event(invitations=[guest(company_name="Acme")])]
    )

    assert (result.status, wire(result)) == (
        "ERROR_VALIDATION",
        [WireError("invitations[0]", "An invitation needs an email or a name.")],
    )


def test_malformed_guest_email_is_a_validation_error(integration, make_event):
    [result] = events_sync(
        actor=acting(integration), events=[make_event(invitations=[guest("g1", email="not-an-email")])]
    )

    assert (result.status, [e.field for e in wire(result)]) == ("ERROR_VALIDATION", ["invitations[0].email"])
    assert db_state()["events"] == []


def test_unknown_language_is_a_validation_error(integration, make_event):
    [result] = events_sync(
        actor=acting(integration), events=[make_event(invitations=[guest("g1", language="XX")])]
    )

    assert (result.status, [e.field for e in wire(result)]) == (
        "ERROR_VALIDATION",
        ["invitations[0].language"],
    )


def test_language_defaults_to_english_and_is_kept_when_absent(integration, make_event):
    events_sync(
        actor=acting(integration),
        events=[make_event(invitations=[guest("g1"), guest("g2", language="ZH_CN")])],
    )

    events_sync(actor=acting(integration), events=[make_event(invitations=[guest("g1"), guest("g2")])])

    assert dict(Invitation.objects.values_list("contact__source_id", "language")) == {
        "g1": "EN",
        "g2": "ZH_CN",
    }


def test_checked_in_guest_missing_from_the_list_keeps_their_visit(integration, make_event):
    events_sync(actor=acting(integration), events=[make_event(invitations=[guest("g1")])])
    Invitation.objects.update(status=Invitation.Status.CHECKED_IN)
    OutboxMessage.objects.all().delete()

    events_sync(actor=acting(integration), events=[make_event(invitations=[])])

    assert statuses() == {"g1": ("CHECKED_IN", "")}
    assert outbox() == []
