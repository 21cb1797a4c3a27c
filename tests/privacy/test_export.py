"""Export: everything held about an address as one JSON document, the same from the command and the page."""

import datetime as dt
import json

import pytest
from django.core.management import call_command

from apps.notifications.models import OutboxMessage
from apps.privacy.hashing import address_hash
from apps.privacy.models import PrivacyRecord
from apps.privacy.selectors import guest_export_get
from apps.privacy.services import guest_export
from apps.visits.actors import Actor
from apps.visits.models import Event, Invitation
from apps.visits.sync import EventInput, PersonInput, events_sync
from tests.factories import AccessProfileFactory, EntranceFactory
from tests.privacy.conftest import john_smith, person

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def board_meeting(visit, location, plate, partition):
    AccessProfileFactory(partition=partition, source_id="floor-3", name="Visitors floor 3")
    entrance = EntranceFactory(location=location, name="Main entrance")
    event = visit(
        "board",
        ended_days_ago=2,
        entrance_id=entrance.id,
        guests=[john_smith(plate, partition, profile="floor-3")],
        custom_fields={},
    )
    Event.objects.filter(pk=event.pk).update(
        starts_at=dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC),
        ends_at=dt.datetime(2026, 11, 30, 11, 0, tzinfo=dt.UTC),
    )
    Invitation.objects.filter(event=event).update(
        status=Invitation.Status.CHECKED_OUT,
        checked_in_at=dt.datetime(2026, 11, 30, 8, 55, tzinfo=dt.UTC),
        checked_out_at=dt.datetime(2026, 11, 30, 11, 5, tzinfo=dt.UTC),
    )
    OutboxMessage.objects.filter(invitation__event=event).update(
        status=OutboxMessage.Status.SENT, sent_at=dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC)
    )
    return event


def test_export_has_the_contract_shape_with_local_times_and_names(board_meeting):
    document = guest_export_get(address="jsmith@example.com", now=NOW)

    [message] = document.pop("messages")
    assert document == {
        "email": "jsmith@example.com",
        "exportedAt": "2026-12-02T10:00:00+00:00",
        "contacts": [
            {
                "firstName": "John",
                "lastName": "Smith",
                "email": "jsmith@example.com",
                "companyName": "Acme",
                "source": "Demo calendar",
            }
        ],
        "invitations": [
            {
                "status": "CHECKED_OUT",
                "language": "EN",
                "event": {
                    "name": "Board meeting",
                    "startsAt": "2026-11-30T10:00:00+01:00",
                    "endsAt": "2026-11-30T12:00:00+01:00",
                    "location": "Berlin HQ",
                    "entrance": "Main entrance",
                    "host": "Ada Lovelace",
                },
                "checkedInAt": "2026-11-30T09:55:00+01:00",
                "checkedOutAt": "2026-11-30T12:05:00+01:00",
                "customFields": {"Licence plate": "B-XY 123"},
                "accessProfiles": ["Visitors floor 3"],
            }
        ],
    }
    assert (message["kind"], message["to"], message["sentAt"]) == (
        "INVITATION",
        "jsmith@example.com",
        "2026-11-20T08:00:00+00:00",
    )
    assert "Board meeting" in message["subject"]


def test_export_matches_the_address_whatever_its_case_across_integrations_and_the_portal(
    board_meeting, location
):
    [result] = events_sync(
        actor=Actor.of_system("tests"),
        events=[
            EventInput(
                source_id="portal-1",
                name="Lunch",
                starts_at=NOW + dt.timedelta(days=1),
                ends_at=NOW + dt.timedelta(days=1, hours=1),
                location_id=location.id,
                host=PersonInput(email="ada@example.com"),
                invitations=[person("p1", "JSmith@EXAMPLE.com", "Johnny", "Smith")],
            )
        ],
    )
    assert result.ok

    document = guest_export_get(address="jsmith@example.com")

    assert sorted(c["source"] for c in document["contacts"]) == ["Demo calendar", "Portal"]
    assert len(document["invitations"]) == 2


def test_unknown_address_gets_empty_lists(board_meeting):
    document = guest_export_get(address="nobody@example.com", now=NOW)

    assert document == {
        "email": "nobody@example.com",
        "exportedAt": "2026-12-02T10:00:00+00:00",
        "contacts": [],
        "invitations": [],
        "messages": [],
    }


def test_unsent_message_has_no_sent_time(board_meeting):
    OutboxMessage.objects.update(status=OutboxMessage.Status.PENDING, sent_at=None)

    [message] = guest_export_get(address="jsmith@example.com")["messages"]

    assert message["sentAt"] is None


def test_export_is_recorded_with_the_address_only_as_a_hash(board_meeting):
    guest_export(actor=Actor.of_system("tests"), address="jsmith@example.com")

    record = PrivacyRecord.objects.get()
    assert (record.action, record.address_hash, record.counts) == (
        "exported",
        address_hash(address="jsmith@example.com"),
        {"contacts": 1, "invitations": 1, "messages": 1},
    )


def test_command_prints_the_document(board_meeting, capsys):
    call_command("guest_export", " JSmith@example.com ")

    document = json.loads(capsys.readouterr().out)
    assert document["email"] == "jsmith@example.com"
    assert [c["lastName"] for c in document["contacts"]] == ["Smith"]
