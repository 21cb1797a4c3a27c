"""Creating, updating, partially updating and validating events through the engine."""

import datetime as dt

import pytest

from apps.visits.models import Event
from apps.visits.sync import UNSET, EventInput, PersonInput, events_sync
from tests.factories import EntranceFactory, LocationFactory, acting
from tests.visits.conftest import ENDS, STARTS, db_state
from tests.visits.wire import WireError, wire

pytestmark = pytest.mark.django_db


def test_unseen_source_id_creates_an_event(integration, make_event, location):
    [result] = events_sync(actor=acting(integration), events=[make_event(description="Quarterly review")])

    event = Event.objects.get()
    assert (result.status, result.action, result.id, result.errors) == ("SUCCESS", "created", event.id, [])
    assert (event.integration, event.source_id, event.name, event.description) == (
        integration,
        "meeting-1",
        "Board meeting",
        "Quarterly review",
    )
    assert (event.starts_at, event.ends_at, event.location, event.status) == (
        STARTS,
        ENDS,
        location,
        "ACTIVE",
    )
    assert (event.host.email, event.host.first_name, event.host.last_name) == (
        "ceo@example.com",
        "Ada",
        "Lovelace",
    )


def test_known_source_id_updates_the_same_event(integration, make_event):
    events_sync(actor=acting(integration), events=[make_event()])

    [result] = events_sync(actor=acting(integration), events=[make_event(name="Board meeting (moved)")])

    assert (result.action, Event.objects.count(), Event.objects.get().name) == (
        "updated",
        1,
        "Board meeting (moved)",
    )


def test_absent_fields_are_left_as_they_are(integration, make_event, entrance):
    events_sync(actor=acting(integration), events=[make_event(description="Agenda", entrance_id=entrance.id)])

    events_sync(actor=acting(integration), events=[EventInput(source_id="meeting-1", name="Renamed")])

    event = Event.objects.get()
    assert (event.name, event.description, event.entrance, event.starts_at) == (
        "Renamed",
        "Agenda",
        entrance,
        STARTS,
    )


def test_null_clears_optional_fields(integration, make_event, entrance):
    creator = PersonInput(email="assistant@example.com")
    events_sync(
        actor=acting(integration),
        events=[make_event(description="Agenda", entrance_id=entrance.id, creator=creator)],
    )

    events_sync(
        actor=acting(integration),
        events=[EventInput(source_id="meeting-1", description=None, entrance_id=None, creator=None)],
    )

    event = Event.objects.get()
    assert (event.description, event.entrance, event.creator) == ("", None, None)


@pytest.mark.parametrize(
    ("field", "wire_name"), [("name", "name"), ("starts_at", "startsAt"), ("location_id", "locationId")]
)
def test_null_for_a_required_field_is_a_validation_error(integration, make_event, field, wire_name):
    events_sync(actor=acting(integration), events=[make_event()])
    before = db_state()

    [result] = events_sync(
        actor=acting(integration), events=[EventInput(source_id="meeting-1", **{field: None})]
    )

    assert (result.status, result.action, wire(result)) == (
        "ERROR_VALIDATION",
        None,
        [WireError(wire_name, f"{wire_name} may not be null.")],
    )
    assert db_state() == before


def test_new_event_lists_every_missing_required_field(integration):
    [result] = events_sync(
        actor=acting(integration), events=[EventInput(source_id="x", description="only this")]
    )

    assert result.status == "ERROR_MISSING_REQUIRED_FIELDS"
    assert [e.field for e in wire(result)] == ["name", "startsAt", "endsAt", "locationId", "host.email"]
    assert (result.id, result.action, Event.objects.count()) == (None, None, 0)


def test_host_without_email_on_a_new_event_is_a_missing_field(integration, make_event):
    [result] = events_sync(actor=acting(integration), events=[make_event(host=PersonInput(first_name="Ada"))])

    assert (result.status, [e.field for e in wire(result)]) == (
        "ERROR_MISSING_REQUIRED_FIELDS",
        ["host.email"],
    )


def test_inactive_location_is_not_found(integration, make_event):
    closed = LocationFactory(is_active=False)

    [result] = events_sync(actor=acting(integration), events=[make_event(location_id=closed.id)])

    assert (result.status, wire(result)) == (
        "ERROR_LOCATION_NOT_FOUND",
        [WireError("locationId", f"There is no active location {closed.id}.")],
    )
    assert Event.objects.count() == 0


def test_entrance_of_another_location_is_not_found(integration, make_event, location):
    elsewhere = EntranceFactory()

    [result] = events_sync(actor=acting(integration), events=[make_event(entrance_id=elsewhere.id)])

    assert (result.status, wire(result)) == (
        "ERROR_ENTRANCE_NOT_FOUND",
        [WireError("entranceId", f"Location {location.id} has no entrance {elsewhere.id}.")],
    )


def test_moving_location_without_a_matching_entrance_is_refused(integration, make_event, entrance):
    events_sync(actor=acting(integration), events=[make_event(entrance_id=entrance.id)])
    other = LocationFactory()
    before = db_state()

    [result] = events_sync(
        actor=acting(integration), events=[EventInput(source_id="meeting-1", location_id=other.id)]
    )

    assert result.status == "ERROR_ENTRANCE_NOT_FOUND"
    assert db_state() == before


def test_end_not_after_start_is_an_invalid_time_range(integration, make_event):
    [result] = events_sync(actor=acting(integration), events=[make_event(ends_at=STARTS)])

    assert (result.status, wire(result)) == (
        "ERROR_INVALID_TIME_RANGE",
        [WireError("endsAt", "endsAt must be later than startsAt.")],
    )


def test_time_range_is_checked_after_applying_a_partial_update(integration, make_event):
    events_sync(actor=acting(integration), events=[make_event()])
    before = db_state()

    [result] = events_sync(
        actor=acting(integration),
        events=[EventInput(source_id="meeting-1", starts_at=ENDS + dt.timedelta(hours=1))],
    )

    assert result.status == "ERROR_INVALID_TIME_RANGE"
    assert db_state() == before


def test_over_long_name_is_a_validation_error(integration, make_event):
    [result] = events_sync(actor=acting(integration), events=[make_event(name="x" * 256)])

    assert (result.status, [e.field for e in wire(result)]) == ("ERROR_VALIDATION", ["name"])


def test_naive_datetime_is_a_validation_error(integration, make_event):
    [result] = events_sync(
        actor=acting(integration),
        events=[make_event(starts_at=dt.datetime(2026, 12, 1, 9))],  # noqa: DTZ001 - naive on purpose
    )

    assert (result.status, wire(result)) == (
        "ERROR_VALIDATION",
        [WireError("startsAt", "Date-times need a UTC offset or Z.")],
    )


def test_missing_source_id_is_a_validation_error(integration, make_event):
    [result] = events_sync(actor=acting(integration), events=[make_event(source_id=UNSET)])

    assert (result.source_id, result.status, wire(result)) == (
        None,
        "ERROR_VALIDATION",
        [WireError("sourceId", "sourceId is required.")],
    )


def test_two_integrations_may_use_the_same_source_id(make_event):
    from tests.factories import IntegrationFactory

    first, second = IntegrationFactory(), IntegrationFactory()
    events_sync(actor=acting(first), events=[make_event(name="First's")])

    [result] = events_sync(actor=acting(second), events=[make_event(name="Second's")])

    assert result.action == "created"
    assert sorted(Event.objects.values_list("integration_id", "name")) == [
        (first.id, "First's"),
        (second.id, "Second's"),
    ]


def test_error_in_one_event_leaves_the_others_processed(integration, make_event):
    results = events_sync(
        actor=acting(integration),
        events=[make_event("a"), make_event("b", ends_at=STARTS), make_event("c")],
    )

    assert [(r.source_id, r.status, r.action) for r in results] == [
        ("a", "SUCCESS", "created"),
        ("b", "ERROR_INVALID_TIME_RANGE", None),
        ("c", "SUCCESS", "created"),
    ]
    assert sorted(Event.objects.values_list("source_id", flat=True)) == ["a", "c"]


def test_results_come_in_request_order(integration, make_event):
    events_sync(actor=acting(integration), events=[make_event("b")])

    results = events_sync(
        actor=acting(integration), events=[make_event("c"), make_event("b"), make_event("a")]
    )

    assert [(r.source_id, r.action) for r in results] == [
        ("c", "created"),
        ("b", "unchanged"),
        ("a", "created"),
    ]


def test_empty_batch_returns_no_results(integration):
    assert events_sync(actor=acting(integration), events=[]) == []
