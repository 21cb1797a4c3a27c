"""The sync guide's integration examples, in the guide's order, driven through HTTP.

Each scenario starts from the board meeting of "Creating a New Event", itself created over HTTP, and
checks the answer exactly and what the database holds afterwards, including the messages owed to guests.
"""

import datetime as dt
from typing import Any

import pytest

from apps.directory.models import CustomField, Employee
from apps.notifications.models import OutboxMessage
from apps.visits.models import Contact, Event, Invitation
from tests.factories import AccessPartitionFactory, CustomFieldFactory, EntranceFactory
from tests.integrations.conftest import ApiClient, spec_example_event
from tests.visits.conftest import db_state

pytestmark = pytest.mark.django_db

IGNORE_MISSING = "?ignoreMissingInvitations=true"


@pytest.fixture
def catalog(location):
    """The ids the guide tells the integrator to look up: location, entrance, custom fields, partition."""
    return {
        "location": location,
        "entrance": EntranceFactory(location=location, name="Main entrance"),
        "clearance": CustomFieldFactory(name="Security clearance", scope=CustomField.Scope.EVENT),
        "plate": CustomFieldFactory(name="Licence plate", scope=CustomField.Scope.INVITATION),
        "partition": AccessPartitionFactory(name="Doors"),
    }


@pytest.fixture
def board_meeting(catalog) -> dict[str, Any]:
    """The event of the spec's example body, with real ids."""
    return spec_example_event(
        location_id=catalog["location"].id,
        entrance_id=catalog["entrance"].id,
        event_field_id=catalog["clearance"].id,
        invitation_field_id=catalog["plate"].id,
        partition_id=catalog["partition"].id,
    )


@pytest.fixture
def created(api: ApiClient, board_meeting) -> Event:
    """The board meeting after "Creating a New Event", with the messages of that step set aside."""
    assert api.put_events([board_meeting]).status_code == 200
    OutboxMessage.objects.all().delete()
    return Event.objects.get()


def success(event: Event, action: str) -> dict[str, Any]:
    return {
        "events": [
            {"sourceId": "meeting-456", "status": "SUCCESS", "id": event.id, "action": action, "errors": []}
        ]
    }


def guest_messages() -> list[tuple[str, str]]:
    """(kind, guest email) of every message owed to a guest, in a stable order."""
    rows = OutboxMessage.objects.filter(invitation__isnull=False).values_list(
        "kind", "invitation__contact__email"
    )
    return sorted(rows)


def guests(event: Event) -> list[tuple[str | None, str, str, str]]:
    return list(
        Invitation.objects.filter(event=event)
        .order_by("contact__source_id")
        .values_list("contact__source_id", "contact__email", "status", "cancel_reason")
    )


def test_1_creating_a_new_event(api, board_meeting, catalog, integration):
    response = api.put_events([board_meeting])

    event = Event.objects.get()
    assert response.json() == success(event, "created")
    assert (event.integration, event.source_id, event.name, event.description, event.status) == (
        integration,
        "meeting-456",
        "Board meeting",
        "Quarterly review",
        "ACTIVE",
    )
    assert (event.starts_at, event.ends_at, event.location, event.entrance) == (
        dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC),
        catalog["location"],
        catalog["entrance"],
    )
    assert (event.custom_fields, event.source_updated_at) == (
        {str(catalog["clearance"].id): "Security clearance required"},
        dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC),
    )
    assert list(
        Employee.objects.order_by("email").values_list("email", "first_name", "last_name", "phone_number")
    ) == [
        ("assistant@example.com", "Bob", "Baker", ""),
        ("ceo@example.com", "Ada", "Lovelace", "+4930123456"),
    ]
    assert (event.host.email, event.creator.email) == ("ceo@example.com", "assistant@example.com")
    invitation = Invitation.objects.get()
    contact = invitation.contact
    assert (
        contact.integration,
        contact.source_id,
        contact.email,
        contact.full_name,
        contact.company_name,
    ) == (
        integration,
        "guest-101",
        "jsmith@example.com",
        "John Smith",
        "Acme",
    )
    assert (invitation.status, invitation.language, invitation.custom_fields) == (
        "INVITED",
        "EN",
        {str(catalog["plate"].id): "B-XY 123"},
    )
    assert list(invitation.access_profiles.values_list("partition", "source_id")) == [
        (catalog["partition"].id, "visitors-floor-3")
    ]
    assert guest_messages() == [("INVITATION", "jsmith@example.com")]


def test_2_updating_an_existing_event(api, created, board_meeting):
    moved = {
        "sourceId": "meeting-456",
        "name": "Board meeting",
        "startsAt": "2026-12-02T14:00:00+01:00",
        "endsAt": "2026-12-02T16:00:00+01:00",
        "locationId": board_meeting["locationId"],
        "host": {"email": "ceo@example.com"},
    }

    response = api.put_events([moved])

    event = Event.objects.get()
    assert response.json() == success(created, "updated")
    assert (event.starts_at, event.ends_at, event.description, event.entrance_id) == (
        dt.datetime(2026, 12, 2, 13, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 2, 15, 0, tzinfo=dt.UTC),
        "Quarterly review",
        board_meeting["entranceId"],
    )
    assert guests(event) == [("guest-101", "jsmith@example.com", "INVITED", "")]
    assert guest_messages() == [("UPDATE", "jsmith@example.com")]


def test_3_deleting_an_event(api, created):
    response = api.put_events([{"sourceId": "meeting-456", "deletedAt": "2026-11-21T12:00:00Z"}])

    event = Event.objects.get()
    assert response.json() == success(created, "deleted")
    assert event.status == "CANCELLED"
    assert guests(event) == [("guest-101", "jsmith@example.com", "CANCELLED", "EVENT_CANCELLED")]
    assert guest_messages() == [("CANCELLATION", "jsmith@example.com")]
    readback = api.get("/api/v2/events/meeting-456").json()
    assert (readback["status"], [i["status"] for i in readback["invitations"]]) == (
        "CANCELLED",
        ["CANCELLED"],
    )


def test_4_partial_update(api, created):
    untouched = Event.objects.values(
        "starts_at", "ends_at", "location", "entrance", "host", "custom_fields"
    ).get()

    response = api.put_events([{"sourceId": "meeting-456", "name": "Board meeting (with lunch)"}])

    event = Event.objects.get()
    assert response.json() == success(created, "updated")
    assert event.name == "Board meeting (with lunch)"
    assert Event.objects.values(
        "starts_at", "ends_at", "location", "entrance", "host", "custom_fields"
    ).get() == (untouched)
    assert guests(event) == [("guest-101", "jsmith@example.com", "INVITED", "")]
    assert guest_messages() == []


def test_5_adding_a_single_guest(api, created):
    jane = {"sourceId": "guest-102", "email": "jdoe@example.com", "firstName": "Jane", "lastName": "Doe"}

    response = api.put_events([{"sourceId": "meeting-456", "invitations": [jane]}], query=IGNORE_MISSING)

    assert response.json() == success(created, "updated")
    assert guests(created) == [
        ("guest-101", "jsmith@example.com", "INVITED", ""),
        ("guest-102", "jdoe@example.com", "INVITED", ""),
    ]
    assert guest_messages() == [("INVITATION", "jdoe@example.com")]


def test_5b_the_same_list_without_the_flag_replaces_the_guest_list(api, created):
    # The contrast the guide draws: without ?ignoreMissingInvitations the list is the whole guest list.
    jane = {"sourceId": "guest-102", "email": "jdoe@example.com", "firstName": "Jane", "lastName": "Doe"}

    api.put_events([{"sourceId": "meeting-456", "invitations": [jane]}])

    assert guests(created) == [
        ("guest-101", "jsmith@example.com", "CANCELLED", "REMOVED"),
        ("guest-102", "jdoe@example.com", "INVITED", ""),
    ]


def test_6_removing_a_single_guest(api, created):
    jane = {"sourceId": "guest-102", "email": "jdoe@example.com", "firstName": "Jane", "lastName": "Doe"}
    api.put_events([{"sourceId": "meeting-456", "invitations": [jane]}], query=IGNORE_MISSING)
    OutboxMessage.objects.all().delete()

    response = api.put_events(
        [
            {
                "sourceId": "meeting-456",
                "invitations": [{"sourceId": "guest-101", "deletedAt": "2026-11-21T12:00:00Z"}],
            }
        ],
        query=IGNORE_MISSING,
    )

    assert response.json() == success(created, "updated")
    assert guests(created) == [
        ("guest-101", "jsmith@example.com", "CANCELLED", "REMOVED"),
        ("guest-102", "jdoe@example.com", "INVITED", ""),
    ]
    assert guest_messages() == [("CANCELLATION", "jsmith@example.com")]
    # The contact stays: the same person may be invited to other events.
    assert Contact.objects.filter(source_id="guest-101").count() == 1


def test_7_one_bad_event_does_not_fail_the_others(api, created, board_meeting, catalog):
    missing_location = catalog["location"].id + 1000
    new_event = {**board_meeting, "sourceId": "meeting-457", "invitations": []}
    bad_event = {**board_meeting, "sourceId": "meeting-458", "locationId": missing_location}
    rename = {"sourceId": "meeting-456", "name": "Board meeting (renamed)"}

    response = api.put_events([new_event, bad_event, rename])

    new_id = Event.objects.get(source_id="meeting-457").id
    assert response.json() == {
        "events": [
            {"sourceId": "meeting-457", "status": "SUCCESS", "id": new_id, "action": "created", "errors": []},
            {
                "sourceId": "meeting-458",
                "status": "ERROR_LOCATION_NOT_FOUND",
                "id": None,
                "action": None,
                "errors": [
                    {"field": "locationId", "message": f"There is no active location {missing_location}."}
                ],
            },
            {
                "sourceId": "meeting-456",
                "status": "SUCCESS",
                "id": created.id,
                "action": "updated",
                "errors": [],
            },
        ]
    }
    assert sorted(Event.objects.values_list("source_id", "name")) == [
        ("meeting-456", "Board meeting (renamed)"),
        ("meeting-457", "Board meeting"),
    ]
    assert guest_messages() == []


def test_8_sending_the_same_state_again_changes_nothing(api, created, board_meeting):
    # The guide's advice is to send everything every time; that must be free of side effects.
    before = db_state()

    response = api.put_events([board_meeting])

    assert response.json() == success(created, "unchanged")
    assert db_state() == before
