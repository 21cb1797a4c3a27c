"""The read path renders events exactly as EventSerializer (the schema's definition of the shape) would.

GET /events is rendered by PostgreSQL (`reads_sql`) or, on other databases, from `values()` rows
(`reads_rows`); the serializer reads model instances. Over events holding every kind of value, each
renderer must give the serializer's bytes: same keys, order, values and formats. The one exception is
the database's: a number below 0.0001 in a custom value keeps its full decimal form (`0.0000001`, where
Python writes `1e-07`), the same JSON number. The serializer here reads plain instances, one query per
attribute if need be: it is the reference, not a path that serves requests.
"""

import datetime as dt
import decimal
import json
import zoneinfo

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from apps.integrations.api.reads import javascript_safe
from apps.integrations.api.reads_rows import events_render
from apps.integrations.api.reads_sql import events_json
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
# How the database spells the custom value 1e-07 of the fixture (see the module's docstring).
SMALL_NUMBER = (b"1e-07", b"0.0000001")
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
    # Past its retention: its guests' names and emails read null; only the guest has custom values.
    anonymised = _event(
        integration,
        location,
        "anonymised",
        starts_at=DEC_1 + dt.timedelta(days=2),
        anonymised_at=DEC_1 + dt.timedelta(days=40),
    )
    InvitationFactory(event=anonymised, custom_fields={"12": "B-XY 123", "5": ["x"]})
    # Another integration's event is not in the list.
    _event(IntegrationFactory(), location, "full")
    return [full, cancelled, bare, anonymised]


def _serializer_json(integration) -> bytes:
    events = Event.objects.filter(integration=integration).order_by("starts_at", "id")
    return JSONRenderer().render(EventSerializer(events, many=True).data)


def _rows_json(integration) -> bytes:
    rows = list(event_rows(integration=integration).order_by("starts_at", "id"))
    return JSONRenderer().render(events_render(rows, zone=timezone.get_current_timezone()))


def _database_json(integration) -> bytes:
    ids = event_rows(integration=integration).order_by("starts_at", "id").values_list("id", flat=True)
    texts = events_json(event_ids=list(ids), zone=timezone.get_current_timezone())
    return javascript_safe("[" + ",".join(texts) + "]").encode()


def _parsed(text: bytes):
    """Keys in order, numbers exactly: what a JSON client reads."""
    return json.loads(text, object_pairs_hook=list, parse_float=decimal.Decimal)


def test_the_fixture_holds_every_kind_of_event(integration, rich_events):
    events = json.loads(_serializer_json(integration))

    assert [event["sourceId"] for event in events] == ["full", "cancelled", "bare", "anonymised"]
    assert [len(event["invitations"]) for event in events] == [4, 1, 0, 1]
    assert [guest["email"] is None for guest in events[0]["invitations"]] == [False, False, True, False]
    assert events[3]["invitations"][0]["email"] is None
    assert SMALL_NUMBER[0] in _serializer_json(integration)


def test_rows_render_byte_for_byte_what_the_serializer_does(integration, rich_events):
    assert _rows_json(integration) == _serializer_json(integration)


def test_rows_render_times_in_an_active_time_zone_as_the_serializer_does(integration, rich_events):
    with timezone.override("America/St_Johns"):
        expected = _serializer_json(integration)
        rendered = _rows_json(integration)

    assert rendered == expected
    assert json.loads(rendered)[0]["startsAt"] == "2026-12-01T04:30:00-03:30"


@pytest.mark.postgres
def test_the_database_renders_byte_for_byte_what_the_serializer_does(integration, rich_events):
    expected = _serializer_json(integration)

    rendered = _database_json(integration)

    assert rendered == expected.replace(*SMALL_NUMBER)
    assert _parsed(rendered) == _parsed(expected)


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("zone", "starts_at"),
    [
        ("America/St_Johns", "2026-12-01T04:30:00-03:30"),
        ("Asia/Kathmandu", "2026-12-01T13:45:00+05:45"),
        ("Europe/London", "2026-12-01T08:00:00Z"),
    ],
)
def test_the_database_renders_times_in_an_active_time_zone(integration, rich_events, zone, starts_at):
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        expected = _serializer_json(integration)
        rendered = _database_json(integration)

    assert rendered == expected.replace(*SMALL_NUMBER)
    assert json.loads(rendered)[0]["startsAt"] == starts_at


@pytest.mark.postgres
def test_the_database_renders_offsets_with_seconds_as_python_does(integration, location):
    # Before 1893 Berlin kept its local mean time, 53 minutes 28 seconds ahead of UTC.
    _event(integration, location, "old", starts_at=dt.datetime(1890, 6, 1, 12, 0, 0, 5, tzinfo=dt.UTC))

    with timezone.override(zoneinfo.ZoneInfo("Europe/Berlin")):
        expected = _serializer_json(integration)
        rendered = _database_json(integration)

    assert rendered == expected
    assert json.loads(rendered)[0]["startsAt"] == "1890-06-01T12:53:28.000005+00:53:28"


def test_list_and_detail_answer_the_serializers_bytes(api, integration, rich_events):
    events = EventSerializer(
        Event.objects.filter(integration=integration).order_by("starts_at", "id"), many=True
    ).data
    expected_list = JSONRenderer().render({"results": events, "next": None})
    expected_details = [JSONRenderer().render(event) for event in events]
    if connection.vendor == "postgresql":
        expected_list = expected_list.replace(*SMALL_NUMBER)
        expected_details = [detail.replace(*SMALL_NUMBER) for detail in expected_details]

    listed = api.get("/api/v2/events")
    detailed = [api.get(f"/api/v2/events/{event.source_id}") for event in rich_events]

    assert (listed.content, listed["Content-Type"]) == (expected_list, "application/json")
    assert [detail.content for detail in detailed] == expected_details


@pytest.mark.postgres
@pytest.mark.parametrize("character", ["\x01", "\t", "\n", "\x1f", '"', "\\", "\x7f", "\u2028"])
def test_the_database_escapes_each_character_json_escapes_as_the_serializer_does(
    integration, location, character
):
    # One such character in any of a guest's texts, alone: each must turn escaping on by itself.
    event = _event(integration, location, "one")
    InvitationFactory(event=event, contact=ContactFactory(last_name=f"O{character}Brien"))

    assert _database_json(integration) == _serializer_json(integration)
