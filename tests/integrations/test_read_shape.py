"""The read path renders rows exactly as EventSerializer (the schema's definition of the shape) would.

`reads.events_render` builds the JSON of GET /events from `values()` rows; the serializer reads model
instances. Over events holding every kind of value, the two must give the same bytes: same keys, order,
values and formats. The serializer here reads plain instances, one query per attribute if need be: it is
the reference, not a path that serves requests.
"""

import datetime as dt
import json

import pytest
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from apps.integrations.api.reads import events_render
from apps.integrations.api.serializers import EventSerializer
from apps.visits.models import Event, Invitation
from apps.visits.selectors import event_rows
from tests.factories import (
    AccessPartitionFactory,
    AccessProfileFactory,
    ContactFactory,
    EmployeeFactory,
    EntranceFactory,
    EventFactory,
    IntegrationFactory,
    InvitationFactory,
)

pytestmark = pytest.mark.django_db

DEC_1 = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
ODD_TEXT = 'Zoë \u2028 line\u2029 «quoted» "q" \\ </script> \t\x01 中文 🙂'


def _event(integration, location, source_id: str, **fields) -> Event:
    starts_at = fields.pop("starts_at", DEC_1)
    return EventFactory(
        integration=integration,
        source_id=source_id,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=2),
        location=location,
        **fields,
    )


@pytest.fixture
def rich_events(integration, location) -> list[Event]:
    """Events and guests with every kind of value the read API renders."""
    partition, other_partition = AccessPartitionFactory(), AccessPartitionFactory()
    # Created out of order: the answer lists them by partition, then sourceId.
    profiles = [
        AccessProfileFactory(partition=other_partition, source_id="b-floor"),
        AccessProfileFactory(partition=partition, source_id="z-garage"),
        AccessProfileFactory(partition=partition, source_id="a-lobby"),
    ]
    full = _event(
        integration,
        location,
        "full",
        name=ODD_TEXT,
        description="Quarterly review\nwith notes",
        entrance=EntranceFactory(location=location),
        host=EmployeeFactory(first_name="Ada", last_name="Lovelace", phone_number="+4930123456"),
        creator=EmployeeFactory(first_name="", last_name="", phone_number=""),
        custom_fields={
            "5": "Security clearance required",
            "6": 3,
            "7": 2.5,
            "8": True,
            "15": 1.5e16,
            "16": -(2**70),
            "9": None,
            "10": ["a", "b"],
            "11": {"nested": ODD_TEXT},
        },
        source_updated_at=dt.datetime(2026, 11, 20, 10, 0, 0, 123456, tzinfo=dt.UTC),
    )
    checked_in = InvitationFactory(
        event=full,
        contact=ContactFactory(integration=integration, source_id="guest-1", company_name=ODD_TEXT),
        language="DE",
        # Numbers as JSON has them, beyond 64 bits and in exponent notation too.
        custom_fields={"6": 4, "12": "B-XY 123", "13": 123456789012345678901234567890, "14": 1e-07},
        status=Invitation.Status.CHECKED_IN,
        checked_in_at=DEC_1 + dt.timedelta(minutes=3, microseconds=7),
    )
    checked_in.access_profiles.add(*profiles)
    checked_out = InvitationFactory(
        event=full,
        contact=ContactFactory(integration=integration, source_id="guest-2"),
        language="ZH_CN",
        status=Invitation.Status.CHECKED_OUT,
        checked_in_at=DEC_1,
        checked_out_at=DEC_1 + dt.timedelta(hours=1),
    )
    checked_out.access_profiles.add(profiles[2])
    # No sourceId, no email, no names: a guest the sync knows only by what little it was sent.
    InvitationFactory(
        event=full,
        contact=ContactFactory(source_id=None, email="", first_name="", last_name="", company_name=""),
    )
    InvitationFactory(
        event=full,
        status=Invitation.Status.CANCELLED,
        cancel_reason=Invitation.CancelReason.REMOVED,
        cancelled_at=dt.datetime(2026, 11, 25, 9, 30, tzinfo=dt.UTC),
        custom_fields={"5": None},
    )
    cancelled = _event(
        integration,
        location,
        "cancelled",
        status=Event.Status.CANCELLED,
        cancelled_at=dt.datetime(2026, 11, 21, 8, 30, tzinfo=dt.UTC),
        custom_fields={"5": "x"},
    )
    InvitationFactory(
        event=cancelled,
        status=Invitation.Status.CANCELLED,
        cancel_reason=Invitation.CancelReason.EVENT_CANCELLED,
        cancelled_at=dt.datetime(2026, 11, 21, 8, 30, tzinfo=dt.UTC),
    )
    # Nothing optional at all: no entrance, creator, description, custom fields, guests or source time.
    bare = _event(integration, location, "bare", starts_at=DEC_1 + dt.timedelta(days=1))
    # Another integration's event is not in the list.
    _event(IntegrationFactory(), location, "full")
    return [full, cancelled, bare]


def _serializer_json(events: list[Event]) -> bytes:
    return JSONRenderer().render(EventSerializer(events, many=True).data)


def _rendered_json(integration) -> bytes:
    rows = list(event_rows(integration=integration).order_by("starts_at", "id"))
    return JSONRenderer().render(events_render(rows))


def test_rendered_events_are_byte_for_byte_the_serializers(integration, rich_events):
    expected = _serializer_json(Event.objects.filter(integration=integration).order_by("starts_at", "id"))

    rendered = _rendered_json(integration)

    assert rendered == expected
    # The fixture holds what it claims to: a test over empty lists would prove nothing.
    events = json.loads(rendered)
    assert [event["sourceId"] for event in events] == ["full", "cancelled", "bare"]
    assert [len(event["invitations"]) for event in events] == [4, 1, 0]


def test_rendered_times_follow_an_active_time_zone_like_the_serializer(integration, rich_events):
    with timezone.override("America/St_Johns"):
        expected = _serializer_json(Event.objects.filter(integration=integration).order_by("starts_at", "id"))
        rendered = _rendered_json(integration)

    assert rendered == expected
    assert json.loads(rendered)[0]["startsAt"] == "2026-12-01T04:30:00-03:30"


def test_list_and_detail_answer_the_serializers_json(api, integration, rich_events):
    expected = json.loads(
        _serializer_json(Event.objects.filter(integration=integration).order_by("starts_at", "id"))
    )

    listed = api.get("/api/v2/events").json()["results"]
    detailed = [api.get(f"/api/v2/events/{event.source_id}").json() for event in rich_events]

    assert json.dumps(listed) == json.dumps(expected)
    assert json.dumps(detailed) == json.dumps(expected)
