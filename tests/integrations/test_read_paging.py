"""Paging through GET /events: a page costs the same queries and memory however many events there are."""

import datetime as dt
import tracemalloc

import pytest

from apps.visits.models import Contact, Event, Invitation
from tests.factories import AccessProfileFactory, EmployeeFactory

pytestmark = pytest.mark.django_db

DEC_1 = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
GUESTS = 3


def _add_events(integration, location, first: int, count: int) -> None:
    """`count` events of GUESTS guests each, every guest with an access profile, in a few statements."""
    host = EmployeeFactory()
    profile = AccessProfileFactory()
    events = Event.objects.bulk_create(
        Event(
            integration=integration,
            source_id=f"m-{number}",
            name=f"Meeting {number}",
            starts_at=DEC_1 + dt.timedelta(minutes=number),
            ends_at=DEC_1 + dt.timedelta(minutes=number + 60),
            location=location,
            host=host,
            creator=host,
            custom_fields={"1": f"Room {number}"},
        )
        for number in range(first, first + count)
    )
    contacts = Contact.objects.bulk_create(
        Contact(
            integration=integration, source_id=f"g-{event.source_id}-{guest}", email=f"g{guest}@example.org"
        )
        for event in events
        for guest in range(GUESTS)
    )
    invitations = Invitation.objects.bulk_create(
        Invitation(event=events[index // GUESTS], contact=contact, custom_fields={"2": "B-XY 123"})
        for index, contact in enumerate(contacts)
    )
    Invitation.access_profiles.through.objects.bulk_create(
        Invitation.access_profiles.through(invitation_id=invitation.id, accessprofile_id=profile.id)
        for invitation in invitations
    )


def _page_peak_bytes(api, url: str) -> int:
    tracemalloc.start()
    try:
        response = api.get(url)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 200
    return peak


@pytest.mark.parametrize("limit", [2, 50])
def test_every_page_takes_the_same_queries(
    api, integration, location, django_assert_num_queries, event_read_queries, limit
):
    _add_events(integration, location, 0, 2 * limit + 1)
    url, pages = f"/api/v2/events?limit={limit}", 0

    while url:
        with django_assert_num_queries(event_read_queries):
            body = api.get(url).json()
        assert len(body["results"]) in (limit, 1)
        assert all(len(event["invitations"]) == GUESTS for event in body["results"])
        url, pages = body["next"], pages + 1

    assert pages == 3


def test_a_page_takes_the_same_memory_with_ten_times_the_events(api, integration, location):
    _add_events(integration, location, 0, 20)
    url = "/api/v2/events?limit=20"
    api.get(url)  # imports, URL patterns and schema validators are loaded once, not per page
    few = _page_peak_bytes(api, url)
    _add_events(integration, location, 20, 180)

    many = _page_peak_bytes(api, url)

    # Loading every row first would need about ten times as much.
    assert many < 1.5 * few, (few, many)


def test_paging_reads_every_event_once_in_order(api, integration, location):
    _add_events(integration, location, 0, 45)
    seen, url = [], "/api/v2/events?limit=20"

    while url:
        body = api.get(url).json()
        seen += [event["sourceId"] for event in body["results"]]
        url = body["next"]

    assert seen == [f"m-{number}" for number in range(45)]
