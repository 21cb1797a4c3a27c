"""GET /events and GET /events/{sourceId}: shapes, filters, pagination and a fixed number of queries."""

import datetime as dt

import pytest

from apps.integrations.api import filters
from apps.visits.models import Event, Invitation
from tests.factories import (
    AccessProfileFactory,
    ContactFactory,
    EmployeeFactory,
    EntranceFactory,
    EventFactory,
    InvitationFactory,
    LocationFactory,
)
from tests.integrations.conftest import assert_problem

pytestmark = pytest.mark.django_db

DEC_1 = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)


def iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


@pytest.fixture
def make_event(integration, location):
    def build(source_id: str, starts_at: dt.datetime = DEC_1, **fields) -> Event:
        return EventFactory(
            integration=integration,
            source_id=source_id,
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(hours=2),
            location=fields.pop("location", location),
            **fields,
        )

    return build


def _event_with_guests(make_event, integration, index: int) -> Event:
    """An event with two guests and an access profile each: enough to catch a query per row."""
    event = make_event(f"meeting-{index}", creator=EmployeeFactory())
    for guest in range(2):
        contact = ContactFactory(integration=integration, source_id=f"guest-{index}-{guest}")
        invitation = InvitationFactory(event=event, contact=contact)
        invitation.access_profiles.add(AccessProfileFactory())
    return event


def test_event_reads_back_in_the_shape_it_is_written(api, integration, location, entrance):
    host = EmployeeFactory(
        email="ceo@example.com", first_name="Ada", last_name="Lovelace", phone_number="+49301"
    )
    creator = EmployeeFactory(
        email="assistant@example.com", first_name="Bob", last_name="Baker", phone_number=""
    )
    event = EventFactory(
        integration=integration,
        source_id="meeting-456",
        name="Board meeting",
        description="Quarterly review",
        starts_at=DEC_1,
        ends_at=DEC_1 + dt.timedelta(hours=2),
        location=location,
        entrance=entrance,
        host=host,
        creator=creator,
        custom_fields={"5": "Security clearance required", "6": "Level 3"},
        source_updated_at=dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC),
    )
    contact = ContactFactory(
        integration=integration,
        source_id="guest-101",
        email="jsmith@example.com",
        first_name="John",
        last_name="Smith",
        company_name="Acme",
    )
    profile = AccessProfileFactory(source_id="visitors-floor-3")
    invitation = InvitationFactory(
        event=event,
        contact=contact,
        language="DE",
        custom_fields={"7": "B-XY 123", "6": "Level 1"},
        status=Invitation.Status.CHECKED_IN,
        checked_in_at=DEC_1,
    )
    invitation.access_profiles.add(profile)
    event.refresh_from_db()

    response = api.get("/api/v2/events/meeting-456")

    assert response.status_code == 200
    assert response.json() == {
        "id": event.id,
        "sourceId": "meeting-456",
        "name": "Board meeting",
        "description": "Quarterly review",
        "startsAt": "2026-12-01T08:00:00Z",
        "endsAt": "2026-12-01T10:00:00Z",
        "locationId": location.id,
        "entranceId": entrance.id,
        "host": {
            "email": "ceo@example.com",
            "firstName": "Ada",
            "lastName": "Lovelace",
            "phoneNumber": "+49301",
        },
        "creator": {
            "email": "assistant@example.com",
            "firstName": "Bob",
            "lastName": "Baker",
            "phoneNumber": "",
        },
        "invitations": [
            {
                "sourceId": "guest-101",
                "email": "jsmith@example.com",
                "firstName": "John",
                "lastName": "Smith",
                "companyName": "Acme",
                "language": "DE",
                "customFields": {"7": "B-XY 123", "6": "Level 1"},
                "accessProfiles": [{"partitionId": profile.partition_id, "sourceId": "visitors-floor-3"}],
                "deletedAt": None,
                "status": "CHECKED_IN",
                "checkedInAt": "2026-12-01T08:00:00Z",
                "checkedOutAt": None,
                "effectiveCustomFields": {
                    "5": "Security clearance required",
                    "6": "Level 1",
                    "7": "B-XY 123",
                },
            }
        ],
        "customFields": {"5": "Security clearance required", "6": "Level 3"},
        "deletedAt": None,
        "status": "ACTIVE",
        "createdAt": iso(event.created_at),
        "updatedAt": iso(event.updated_at),
        "sourceUpdatedAt": "2026-11-20T10:00:00Z",
        "anonymisedAt": None,
    }


def test_removed_guests_are_listed_as_cancelled(api, make_event):
    event = make_event("meeting-456")
    kept = InvitationFactory(event=event)
    InvitationFactory(
        event=event, status=Invitation.Status.CANCELLED, cancel_reason=Invitation.CancelReason.REMOVED
    )

    invitations = api.get("/api/v2/events/meeting-456").json()["invitations"]

    assert [(item["email"], item["status"]) for item in invitations] == [
        (kept.contact.email, "INVITED"),
        (event.invitations.get(status="CANCELLED").contact.email, "CANCELLED"),
    ]


def test_cancelled_event_reads_as_cancelled(api, make_event):
    make_event("meeting-456", status=Event.Status.CANCELLED)

    assert api.get("/api/v2/events/meeting-456").json()["status"] == "CANCELLED"


def test_cancelled_event_reads_back_the_deleted_at_it_was_cancelled_with(api, make_event):
    make_event(
        "meeting-456",
        status=Event.Status.CANCELLED,
        cancelled_at=dt.datetime(2026, 11, 21, 8, 30, tzinfo=dt.UTC),
    )

    body = api.get("/api/v2/events/meeting-456").json()

    assert (body["status"], body["deletedAt"]) == ("CANCELLED", "2026-11-21T08:30:00Z")


def test_removed_guest_reads_back_the_deleted_at_of_the_removal(api, make_event):
    event = make_event("meeting-456")
    InvitationFactory(event=event, contact__email="kept@example.org")
    InvitationFactory(
        event=event,
        contact__email="removed@example.org",
        status=Invitation.Status.CANCELLED,
        cancel_reason=Invitation.CancelReason.REMOVED,
        cancelled_at=dt.datetime(2026, 11, 20, 7, 0, tzinfo=dt.UTC),
    )

    invitations = api.get("/api/v2/events/meeting-456").json()["invitations"]

    assert [(item["email"], item["status"], item["deletedAt"]) for item in invitations] == [
        ("kept@example.org", "INVITED", None),
        ("removed@example.org", "CANCELLED", "2026-11-20T07:00:00Z"),
    ]


def test_deleted_at_sent_for_an_event_and_a_guest_reads_back_as_sent(api, location):
    event = {
        "sourceId": "meeting-456",
        "name": "Board meeting",
        "startsAt": "2026-12-01T09:00:00+01:00",
        "endsAt": "2026-12-01T11:00:00+01:00",
        "locationId": location.id,
        "host": {"email": "ceo@example.com"},
        "invitations": [
            {"sourceId": "guest-101", "email": "jsmith@example.com"},
            {"sourceId": "guest-102", "email": "mrossi@example.com"},
        ],
    }
    assert api.put_events([event]).status_code == 200
    removal = {"sourceId": "guest-102", "deletedAt": "2026-11-20T09:00:00+01:00"}
    api.put_events(
        [{"sourceId": "meeting-456", "invitations": [removal]}], query="?ignoreMissingInvitations=true"
    )
    api.put_events([{"sourceId": "meeting-456", "deletedAt": "2026-11-21T10:00:00+01:00"}])

    body = api.get("/api/v2/events/meeting-456").json()

    assert (body["status"], body["deletedAt"]) == ("CANCELLED", "2026-11-21T09:00:00Z")
    assert [(item["sourceId"], item["status"], item["deletedAt"]) for item in body["invitations"]] == [
        ("guest-101", "CANCELLED", "2026-11-21T09:00:00Z"),
        ("guest-102", "CANCELLED", "2026-11-20T08:00:00Z"),
    ]


def test_unknown_source_id_is_404(api):
    assert_problem(api.get("/api/v2/events/never-sent"), 404, errors=[])


def test_source_id_with_a_nul_character_is_404(api):
    assert_problem(api.get("/api/v2/events/meeting%00456"), 404, errors=[])


def test_source_id_with_a_slash_is_found(api, make_event):
    event = make_event("calendar/2026/meeting 456")

    assert api.get("/api/v2/events/calendar/2026/meeting%20456").json()["id"] == event.id


def test_detail_takes_a_fixed_number_of_queries(
    api, make_event, integration, django_assert_num_queries, event_read_queries
):
    _event_with_guests(make_event, integration, 1)

    with django_assert_num_queries(event_read_queries):
        api.get("/api/v2/events/meeting-1")


def test_list_answers_results_and_next(api, make_event):
    event = make_event("meeting-456")

    body = api.get("/api/v2/events").json()

    assert set(body) == {"results", "next"}
    assert ([item["id"] for item in body["results"]], body["next"]) == ([event.id], None)
    assert body["results"][0] == api.get("/api/v2/events/meeting-456").json()


@pytest.mark.parametrize("count", [2, 20])
def test_list_takes_the_same_number_of_queries_for_any_number_of_events(
    api, make_event, integration, django_assert_num_queries, event_read_queries, count
):
    for index in range(count):
        _event_with_guests(make_event, integration, index)

    with django_assert_num_queries(event_read_queries):
        response = api.get("/api/v2/events")

    assert len(response.json()["results"]) == count


def test_list_is_ordered_by_start_then_id(api, make_event):
    later = make_event("later", starts_at=DEC_1 + dt.timedelta(days=1))
    first = make_event("first")
    second = make_event("second")

    results = api.get("/api/v2/events").json()["results"]

    assert [item["id"] for item in results] == [first.id, second.id, later.id]


def test_limit_pages_through_with_next(api, make_event):
    events = [make_event(f"m-{i}", starts_at=DEC_1 + dt.timedelta(hours=i)) for i in range(5)]

    pages, url = [], "/api/v2/events?limit=2"
    while url:
        body = api.get(url).json()
        pages.append([item["sourceId"] for item in body["results"]])
        url = body["next"]

    assert pages == [["m-0", "m-1"], ["m-2", "m-3"], ["m-4"]]
    assert len(events) == 5


def test_default_page_is_fifty(api, make_event):
    for i in range(51):
        make_event(f"m-{i}")

    body = api.get("/api/v2/events").json()

    assert (len(body["results"]), body["next"] is not None) == (50, True)


def test_limit_of_200_is_accepted(api, make_event):
    make_event("m-1")

    assert api.get("/api/v2/events", {"limit": "200"}).status_code == 200


@pytest.mark.parametrize("limit", ["0", "201", "-1", "ten", "1.5", ""])
def test_limit_out_of_range_is_400(api, limit):
    response = api.get("/api/v2/events", {"limit": limit})

    body = assert_problem(response, 400, errors=[{"field": "limit", "message": "Expected 1 to 200."}])
    assert body["detail"] == "The query is malformed. See `errors`."


def test_mangled_cursor_is_400(api):
    response = api.get("/api/v2/events", {"cursor": "not-a-cursor"})

    body = assert_problem(response, 400, errors=[{"field": "cursor", "message": "This cursor is not valid."}])
    assert body["detail"] == "The query is malformed. See `errors`."


def _ids(api, **query) -> list[str]:
    response = api.get("/api/v2/events", query)
    assert response.status_code == 200, response.content
    return [item["sourceId"] for item in response.json()["results"]]


def test_filter_starts_after_and_before(api, make_event):
    make_event("early", starts_at=DEC_1 - dt.timedelta(days=1))
    make_event("on-time", starts_at=DEC_1)
    make_event("late", starts_at=DEC_1 + dt.timedelta(days=1))

    assert _ids(api, startsAfter="2026-12-01T09:00:00+01:00") == ["on-time", "late"]
    assert _ids(api, startsBefore="2026-12-01T08:00:00Z") == ["early"]
    assert _ids(api, startsAfter="2026-11-30T12:00:00Z", startsBefore="2026-12-02T00:00:00Z") == ["on-time"]


def test_filter_ends_after(api, make_event):
    make_event("ends-at-10", starts_at=DEC_1)  # 08:00 to 10:00 UTC
    make_event("ends-at-12", starts_at=DEC_1 + dt.timedelta(hours=2))

    assert _ids(api, endsAfter="2026-12-01T10:00:00Z") == ["ends-at-12"]


def test_filter_location(api, make_event):
    other = LocationFactory()
    make_event("here")
    make_event("there", location=other)

    assert _ids(api, locationId=str(other.id)) == ["there"]


def test_filter_status(api, make_event):
    make_event("active")
    make_event("cancelled", status=Event.Status.CANCELLED)

    assert _ids(api, status="CANCELLED") == ["cancelled"]
    assert _ids(api, status="ACTIVE") == ["active"]


def test_filter_updated_since(api, make_event):
    make_event("old")
    recent = make_event("recent")
    Event.objects.filter(source_id="old").update(updated_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    Event.objects.filter(pk=recent.pk).update(updated_at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC))

    assert _ids(api, updatedSince="2026-06-01T00:00:00Z") == ["recent"]


def test_filter_host_email_ignores_case(api, make_event):
    make_event("ada", host=EmployeeFactory(email="ada@example.com"))
    make_event("bob", host=EmployeeFactory(email="bob@example.com"))

    assert _ids(api, hostEmail="ADA@Example.com") == ["ada"]


def test_filter_host_email_goes_through_the_shared_email_rule(api, make_event, monkeypatch):
    monkeypatch.setattr(filters, "email_normalize", lambda value: "ada@example.com")
    make_event("ada", host=EmployeeFactory(email="ada@example.com"))
    make_event("bob", host=EmployeeFactory(email="bob@example.com"))

    assert _ids(api, hostEmail="bob@example.com") == ["ada"]


def test_filter_search_in_name(api, make_event):
    make_event("board", name="Board meeting")
    make_event("lunch", name="Team lunch")

    assert _ids(api, search="BOARD") == ["board"]


def test_filters_combine(api, make_event):
    make_event("match", name="Board meeting")
    make_event("cancelled", name="Board meeting", status=Event.Status.CANCELLED)
    make_event("other", name="Lunch")

    assert _ids(api, search="board", status="ACTIVE") == ["match"]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        (
            {"startsAfter": "2026-12-01T09:00:00"},
            "startsAfter",
            "Expected an ISO 8601 date-time with a UTC offset or Z, e.g. 2026-12-01T09:00:00Z "
            "(in a URL, percent-encode the +).",
        ),
        (
            {"updatedSince": "yesterday"},
            "updatedSince",
            "Expected an ISO 8601 date-time with a UTC offset or Z, e.g. 2026-12-01T09:00:00Z "
            "(in a URL, percent-encode the +).",
        ),
        ({"locationId": "one"}, "locationId", "Enter a whole number."),
        ({"locationId": "1.5"}, "locationId", "Enter a whole number."),
        (
            {"status": "DELETED"},
            "status",
            "Select a valid choice. DELETED is not one of the available choices.",
        ),
        ({"search": "a\x00b"}, "search", "Null characters are not allowed."),
    ],
)
def test_bad_filter_value_is_400(api, query, field, message):
    response = api.get("/api/v2/events", query)

    assert_problem(response, 400, errors=[{"field": field, "message": message}])


def test_bad_filter_values_are_all_listed(api):
    response = api.get("/api/v2/events", {"endsAfter": "soon", "status": "x", "limit": "5"})

    body = assert_problem(response, 400)
    assert sorted(error["field"] for error in body["errors"]) == ["endsAfter", "status"]


def test_location_id_beyond_the_database_range_is_400(api):
    response = api.get("/api/v2/events", {"locationId": str(2**63)})

    assert_problem(
        response,
        400,
        errors=[
            {
                "field": "locationId",
                "message": "Ensure this value is less than or equal to 9223372036854775807.",
            }
        ],
    )


def test_entrance_id_reads_back_null_without_an_entrance(api, make_event):
    make_event("meeting-456")
    EntranceFactory()

    body = api.get("/api/v2/events/meeting-456").json()

    assert (body["entranceId"], body["creator"], body["invitations"]) == (None, None, [])
