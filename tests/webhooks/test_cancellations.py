"""invitation.cancelled: a guest removed or cancelled with their event, through the engine (every door)."""

import datetime as dt
import json

import pytest

from apps.visits.models import Invitation
from apps.visits.sync import EventInput, InvitationInput, PersonInput, events_sync
from apps.webhooks.models import WebhookDelivery
from apps.webhooks.services import webhook_endpoint_create, webhook_invitations_cancelled_record
from tests.factories import IntegrationFactory, LocationFactory, acting
from tests.integrations.checkins_helpers import grant
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.django_db

STARTS = dt.datetime(2030, 12, 3, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def integration():
    return IntegrationFactory(name="HR calendar")


@pytest.fixture
def berlin():
    return LocationFactory(name="Berlin HQ", timezone="Europe/Berlin")


def meeting(location, **fields) -> EventInput:
    values = {
        "name": "Board meeting",
        "starts_at": STARTS,
        "ends_at": STARTS + dt.timedelta(hours=2),
        "location_id": location.pk,
        "host": PersonInput(email="ada@example.com", first_name="Ada", last_name="Lovelace"),
        "invitations": [
            InvitationInput(
                source_id="guest-101", email="jsmith@example.com", first_name="John", last_name="Smith"
            )
        ],
    }
    values.update(fields)
    return EventInput(source_id="meeting-456", **values)


def sync(integration, event, capture) -> None:
    with capture(execute=True):
        [result] = events_sync(actor=acting(integration), events=[event])
    assert result.status == "SUCCESS", result


def test_a_removed_guest_is_posted_as_invitation_cancelled(
    integration, berlin, django_capture_on_commit_callbacks
):
    sync(integration, meeting(berlin), django_capture_on_commit_callbacks)
    guest = Invitation.objects.get()
    with Receiver() as receiver:
        webhook_endpoint_create(integration=integration, url=receiver.url, types=["invitation.cancelled"])
        sync(integration, meeting(berlin, invitations=[]), django_capture_on_commit_callbacks)
        sync(integration, meeting(berlin, invitations=[]), django_capture_on_commit_callbacks)  # unchanged

    [request] = receiver.received
    guest.refresh_from_db()

    payload = json.loads(request.body)
    assert payload["type"] == "invitation.cancelled"
    assert payload["data"] == {
        "invitation": {
            "id": guest.pk,
            "sourceId": "guest-101",
            "email": "jsmith@example.com",
            "firstName": "John",
            "lastName": "Smith",
            "companyName": "",
            "language": "EN",
            "status": "CANCELLED",
            "deletedAt": guest.cancelled_at.astimezone(dt.timezone(dt.timedelta(hours=1))).isoformat(),
        },
        "event": {
            "id": guest.event_id,
            "sourceId": "meeting-456",
            "name": "Board meeting",
            "startsAt": "2030-12-03T09:00:00+01:00",
            "endsAt": "2030-12-03T11:00:00+01:00",
            "host": {"email": "ada@example.com", "firstName": "Ada", "lastName": "Lovelace"},
            "locationId": berlin.pk,
            "status": "ACTIVE",
        },
    }


def test_a_cancelled_event_tells_a_granted_integration_of_each_guest(
    berlin, integration, django_capture_on_commit_callbacks
):
    sync(integration, meeting(berlin), django_capture_on_commit_callbacks)
    door = IntegrationFactory(name="Door system")
    grant(door, berlin)
    with Receiver() as granted, Receiver() as blind:
        webhook_endpoint_create(integration=door, url=granted.url, types=["invitation.cancelled"])
        webhook_endpoint_create(
            integration=IntegrationFactory(name="Elsewhere"), url=blind.url, types=["invitation.cancelled"]
        )
        sync(
            integration,
            meeting(berlin, deleted_at=STARTS - dt.timedelta(days=1)),
            django_capture_on_commit_callbacks,
        )

    assert blind.received == []
    [request] = granted.received

    data = json.loads(request.body)["data"]
    assert (data["invitation"]["sourceId"], data["event"]["sourceId"], data["event"]["status"]) == (
        None,
        None,
        "CANCELLED",
    )


def test_without_subscribers_a_cancellation_records_no_delivery(
    integration, berlin, django_capture_on_commit_callbacks
):
    sync(integration, meeting(berlin), django_capture_on_commit_callbacks)
    with Receiver() as receiver:
        webhook_endpoint_create(integration=integration, url=receiver.url, types=["checkin.created"])
        sync(integration, meeting(berlin, invitations=[]), django_capture_on_commit_callbacks)

    assert (receiver.received, WebhookDelivery.objects.count()) == ([], 0)


@pytest.mark.parametrize("guests", [1, 5])
def test_recording_cancellations_takes_a_fixed_number_of_queries_however_many_guests(
    integration, berlin, guests, django_assert_num_queries
):
    [result] = events_sync(
        actor=acting(integration),
        events=[
            meeting(
                berlin,
                invitations=[
                    InvitationInput(
                        source_id=f"guest-{n}",
                        email=f"guest{n}@example.com",
                        first_name="G",
                        last_name=f"{n}",
                    )
                    for n in range(guests)
                ],
            )
        ],
    )
    assert result.status == "SUCCESS", result
    door = IntegrationFactory(name="Door system")
    grant(door, berlin)
    webhook_endpoint_create(
        integration=integration, url="http://127.0.0.1:9/own", types=["invitation.cancelled"]
    )
    webhook_endpoint_create(integration=door, url="http://127.0.0.1:9/door", types=["invitation.cancelled"])
    cancellations = [(pk, 0) for pk in Invitation.objects.values_list("pk", flat=True)]

    # Endpoints, their grants, the guests with their events, the insert, the inserted ids.
    with django_assert_num_queries(5):
        ids = webhook_invitations_cancelled_record(cancellations=cancellations, at=STARTS)

    assert len(ids) == 2 * guests
