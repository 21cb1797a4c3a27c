"""Exact emails for changes made through the reconciliation engine (the door every interface uses)."""

import datetime as dt

import pytest

from apps.visits.models import Invitation
from apps.visits.sync import EventInput, InvitationInput, PersonInput, events_sync
from tests.factories import EntranceFactory, IntegrationFactory, LocationFactory, acting
from tests.notifications.conftest import calendar_event, ics, qr_payloads

pytestmark = pytest.mark.django_db

STARTS = dt.datetime(2030, 12, 3, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
ENDS = STARTS + dt.timedelta(hours=2)
HOST = "ceo@example.com"


def guest(source_id: str, **fields) -> InvitationInput:
    values = {"email": f"{source_id}@example.org", "first_name": "Guest", "last_name": source_id.title()}
    values.update(fields)
    return InvitationInput(source_id=source_id, **values)


@pytest.fixture
def integration():
    return IntegrationFactory(name="HR calendar")


@pytest.fixture
def location():
    return LocationFactory(timezone="Europe/Berlin")


@pytest.fixture
def sync(integration, location, django_capture_on_commit_callbacks, mailoutbox):
    """Sync one event through the engine, run what was deferred to commit, return the emails it sent."""

    def run(*, guests=None, **fields) -> list:
        values = {
            "name": "Board meeting",
            "starts_at": STARTS,
            "ends_at": ENDS,
            "location_id": location.id,
            "host": PersonInput(email=HOST, first_name="Ada", last_name="Lovelace"),
        }
        if guests is not None:
            values["invitations"] = guests
        values.update(fields)
        before = len(mailoutbox)
        with django_capture_on_commit_callbacks(execute=True):
            [result] = events_sync(
                actor=acting(integration), events=[EventInput(source_id="meeting-1", **values)]
            )
        assert result.ok, result.errors
        return mailoutbox[before:]

    return run


def by_recipient(sent: list) -> list[tuple[str, str]]:
    return sorted((message.to[0].rsplit("<", 1)[-1].rstrip(">"), message.subject) for message in sent)


def three_guests() -> list[InvitationInput]:
    return [guest("alice"), guest("bob"), guest("carol", language="DE")]


def test_creating_an_event_with_three_guests_sends_three_invitations_and_one_host_confirmation(sync):
    sent = sync(guests=three_guests())

    assert by_recipient(sent) == [
        ("alice@example.org", "Invitation: Board meeting, Dec. 3, 2030"),
        ("bob@example.org", "Invitation: Board meeting, Dec. 3, 2030"),
        ("carol@example.org", "Einladung: Board meeting, 3. Dezember 2030"),
        ("ceo@example.com", "Guest list changed: Board meeting, Dec. 3, 2030"),
    ]


def test_each_invitation_carries_its_own_qr_code_and_calendar_request(sync):
    sent = sync(guests=three_guests())

    for message in sent[:3]:
        invitation = Invitation.objects.get(contact__email=message.to[0].rsplit("<", 1)[-1].rstrip(">"))
        entry = calendar_event(message)
        assert qr_payloads(message) == [invitation.token]
        assert (str(ics(message)["METHOD"]), str(entry["UID"]), entry["SEQUENCE"]) == (
            "REQUEST",
            f"invitation-{invitation.pk}@127.0.0.1",
            invitation.sequence,
        )
        assert (entry.decoded("DTSTART"), entry.decoded("DTEND")) == (STARTS, ENDS)


def test_host_confirmation_lists_the_three_invited_guests(sync):
    sent = sync(guests=three_guests())

    [confirmation] = [message for message in sent if message.to == ["Ada Lovelace <ceo@example.com>"]]
    assert "HR calendar has changed the guest list of your events:\n\n" in confirmation.body
    assert "3 guests invited:\n- Guest Alice\n- Guest Bob\n- Guest Carol\n" in confirmation.body


def test_sending_the_same_state_again_sends_nothing(sync):
    sync(guests=three_guests())

    assert sync(guests=three_guests()) == []


def test_removing_one_guest_sends_one_cancellation_and_one_host_confirmation(sync):
    sync(guests=three_guests())

    sent = sync(guests=three_guests()[:2])

    assert by_recipient(sent) == [
        ("carol@example.org", "Abgesagt: Board meeting, 3. Dezember 2030"),
        ("ceo@example.com", "Guest list changed: Board meeting, Dec. 3, 2030"),
    ]


def test_cancellation_of_a_removed_guest_cancels_their_calendar_entry(sync):
    sync(guests=three_guests())

    sent = sync(guests=three_guests()[:2])

    carol = Invitation.objects.get(contact__email="carol@example.org")
    [cancellation] = [message for message in sent if message.to == ["Guest Carol <carol@example.org>"]]
    entry = calendar_event(cancellation)
    assert (str(ics(cancellation)["METHOD"]), str(entry["UID"]), entry["SEQUENCE"]) == (
        "CANCEL",
        f"invitation-{carol.pk}@127.0.0.1",
        1,
    )
    assert qr_payloads(cancellation) == []


def test_moving_the_event_sends_each_remaining_guest_one_update(sync):
    sync(guests=three_guests())
    sync(guests=three_guests()[:2])

    sent = sync(starts_at=STARTS + dt.timedelta(days=1), ends_at=ENDS + dt.timedelta(days=1))

    assert by_recipient(sent) == [
        ("alice@example.org", "Updated: Board meeting, Dec. 4, 2030"),
        ("bob@example.org", "Updated: Board meeting, Dec. 4, 2030"),
    ]
    for message in sent:
        entry = calendar_event(message)
        assert (str(ics(message)["METHOD"]), entry["SEQUENCE"]) == ("REQUEST", 1)
        assert entry.decoded("DTSTART") == STARTS + dt.timedelta(days=1)


def test_changing_the_entrance_sends_updates(sync, location):
    sync(guests=[guest("alice")])

    sent = sync(entrance_id=EntranceFactory(location=location, name="North gate").id)

    [update] = sent
    assert update.subject == "Updated: Board meeting, Dec. 3, 2030"
    assert "Entrance: North gate\n" in update.body


def test_cancelling_the_event_sends_each_remaining_guest_a_cancellation(sync):
    sync(guests=three_guests())
    sync(guests=three_guests()[:2])

    sent = sync(deleted_at=dt.datetime(2030, 11, 1, tzinfo=dt.UTC))

    assert by_recipient(sent) == [
        ("alice@example.org", "Cancelled: Board meeting, Dec. 3, 2030"),
        ("bob@example.org", "Cancelled: Board meeting, Dec. 3, 2030"),
        # The host hears that the event was cancelled, not that its guest list changed.
        ("ceo@example.com", "Cancelled: Board meeting, Dec. 3, 2030"),
    ]


def test_event_cancellation_tells_guests_the_event_is_cancelled(sync):
    sync(guests=[guest("alice")])

    sent = sync(deleted_at=dt.datetime(2030, 11, 1, tzinfo=dt.UTC))

    [cancellation] = [message for message in sent if message.to == ["Guest Alice <alice@example.org>"]]
    assert str(ics(cancellation)["METHOD"]) == "CANCEL"
    assert "Ada Lovelace has cancelled Board meeting.\n" in cancellation.body


def test_changing_only_contact_details_sends_nothing(sync):
    sync(guests=three_guests())

    sent = sync(
        guests=[guest("alice", first_name="Alicia", company_name="Initech"), guest("bob"), guest("carol")]
    )

    assert sent == []


def test_changing_only_the_name_and_description_sends_nothing(sync):
    sync(guests=three_guests())

    assert sync(name="Board meeting (agenda attached)", description="See the agenda") == []


def test_changes_made_in_the_portal_send_no_host_confirmation(
    location, django_capture_on_commit_callbacks, mailoutbox
):
    event = EventInput(
        source_id="walk-in-1",
        name="Walk-in",
        starts_at=STARTS,
        ends_at=ENDS,
        location_id=location.id,
        host=PersonInput(email=HOST),
        invitations=[guest("dave")],
    )

    with django_capture_on_commit_callbacks(execute=True):
        [result] = events_sync(actor=acting(None), events=[event])

    assert result.ok, result.errors
    assert [message.to for message in mailoutbox] == [["Guest Dave <dave@example.org>"]]


def test_one_sync_of_two_events_sends_their_host_one_confirmation(
    integration, location, django_capture_on_commit_callbacks, mailoutbox
):
    host = PersonInput(email=HOST, first_name="Ada", last_name="Lovelace")
    common = {"starts_at": STARTS, "ends_at": ENDS, "location_id": location.id, "host": host}
    events = [
        EventInput(source_id="meeting-1", name="Board meeting", invitations=[guest("alice")], **common),
        EventInput(source_id="lunch-1", name="Lunch", invitations=[guest("bob")], **common),
    ]

    with django_capture_on_commit_callbacks(execute=True):
        results = events_sync(actor=acting(integration), events=events)

    assert [result.ok for result in results] == [True, True]
    assert by_recipient(mailoutbox) == [
        ("alice@example.org", "Invitation: Board meeting, Dec. 3, 2030"),
        ("bob@example.org", "Invitation: Lunch, Dec. 3, 2030"),
        ("ceo@example.com", "Guest lists changed: Board meeting and 1 more"),
    ]


def test_inviting_a_removed_guest_again_sends_a_new_invitation_for_the_same_calendar_entry(sync):
    sync(guests=three_guests())
    sync(guests=three_guests()[:2])

    sent = sync(guests=three_guests())

    carol = Invitation.objects.get(contact__email="carol@example.org")
    [invitation] = [message for message in sent if message.to == ["Guest Carol <carol@example.org>"]]
    entry = calendar_event(invitation)
    assert by_recipient(sent) == [
        ("carol@example.org", "Einladung: Board meeting, 3. Dezember 2030"),
        ("ceo@example.com", "Guest list changed: Board meeting, Dec. 3, 2030"),
    ]
    assert (str(ics(invitation)["METHOD"]), str(entry["UID"]), entry["SEQUENCE"]) == (
        "REQUEST",
        f"invitation-{carol.pk}@127.0.0.1",
        2,
    )
    assert qr_payloads(invitation) == [carol.token]


def test_host_hears_that_the_event_was_cancelled(sync):
    sync(guests=[guest("alice"), guest("bob")])

    sent = sync(deleted_at=dt.datetime(2030, 11, 1, tzinfo=dt.UTC))

    [confirmation] = [message for message in sent if message.to == ["Ada Lovelace <ceo@example.com>"]]
    [(html, _)] = confirmation.alternatives
    assert confirmation.subject == "Cancelled: Board meeting, Dec. 3, 2030"
    assert "HR calendar has cancelled your event:\n" in confirmation.body
    assert "2 guests have been sent a cancellation:\n- Guest Alice\n- Guest Bob\n" in confirmation.body
    assert "removed" not in confirmation.body
    assert "Your event has been cancelled</h1>" in html


def test_host_hears_that_an_event_without_guests_was_cancelled(sync):
    assert sync(guests=[]) == []

    [confirmation] = sync(deleted_at=dt.datetime(2030, 11, 1, tzinfo=dt.UTC))

    assert (confirmation.to, confirmation.subject) == (
        ["Ada Lovelace <ceo@example.com>"],
        "Cancelled: Board meeting, Dec. 3, 2030",
    )
    assert confirmation.body.endswith("\nNo guests were invited.\n")
