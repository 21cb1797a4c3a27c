import datetime as dt

import pytest
from django.utils import timezone

from apps.visits.models import Invitation
from tests.factories import EventFactory, IntegrationFactory, InvitationFactory
from tests.invites.conftest import portal_visit

pytestmark = pytest.mark.django_db


def _titles(response) -> list[str]:
    return [visit.name for visit in response.context["visits"]]


def test_my_visits_lists_the_visits_i_host_or_created_and_no_others(anna_client, anna, jan, berlin):
    portal_visit(host=anna, location=berlin, name="Hosted by me")
    EventFactory(name="Created by me for Jan", host=jan, creator=anna, location=berlin)
    portal_visit(host=jan, location=berlin, name="Jan's own")

    response = anna_client.get("/visits/")

    assert sorted(_titles(response)) == ["Created by me for Jan", "Hosted by me"]
    assert "Jan&#x27;s own" not in response.text


def test_upcoming_visits_come_first_soonest_first_then_past_ones_latest_first(anna_client, anna, berlin):
    now = timezone.now()
    for name, days in (("Last week", -7), ("In two days", 2), ("Yesterday", -1), ("Tomorrow", 1)):
        EventFactory(name=name, host=anna, location=berlin, starts_at=now + dt.timedelta(days=days))

    response = anna_client.get("/visits/")

    assert _titles(response) == ["Tomorrow", "In two days", "Yesterday", "Last week"]
    assert response.text.index("Upcoming") < response.text.index("Tomorrow") < response.text.index("Past")


def test_each_visit_shows_its_local_time_with_the_zone_guest_count_and_arrivals(anna_client, anna, berlin):
    starts = dt.datetime(2030, 7, 1, 7, 30, tzinfo=dt.UTC)  # 09:30 in Berlin (summer time)
    event = EventFactory(
        name="Audit", host=anna, location=berlin, starts_at=starts, ends_at=starts + dt.timedelta(hours=1)
    )
    InvitationFactory(event=event, status=Invitation.Status.CHECKED_IN, checked_in_at=starts)
    InvitationFactory(
        event=event, status=Invitation.Status.CHECKED_OUT, checked_in_at=starts, checked_out_at=starts
    )
    InvitationFactory(event=event)
    InvitationFactory(event=event, status=Invitation.Status.CANCELLED)

    response = anna_client.get("/visits/")

    assert "09:30–10:30 CEST" in response.text  # noqa: RUF001
    assert "Mon, July 1, 2030" in response.text
    [visit] = response.context["visits"]
    assert (visit.guest_count, visit.arrived_count) == (3, 2)
    assert "3 guests" in response.text and "2 arrived" in response.text


def test_synced_visits_are_listed_with_their_source(anna_client, anna, berlin):
    calendar = IntegrationFactory(name="Outlook calendar")
    EventFactory(
        name="From the calendar", host=anna, location=berlin, integration=calendar, source_id="cal-1"
    )

    response = anna_client.get("/visits/")

    assert _titles(response) == ["From the calendar"]
    assert "From Outlook calendar" in response.text


def test_search_finds_visits_by_title_location_or_guest(anna_client, anna, berlin, prague):
    portal_visit(host=anna, location=berlin, name="Board meeting")
    portal_visit(host=anna, location=prague, name="Site visit")
    portal_visit(
        host=anna,
        location=berlin,
        name="Interview",
        guests=[
            {"source_id": "g1", "first_name": "Grace", "last_name": "Hopper", "email": "grace@example.org"}
        ],
    )

    assert _titles(anna_client.get("/visits/", {"q": "board"})) == ["Board meeting"]
    assert _titles(anna_client.get("/visits/", {"q": "prague"})) == ["Site visit"]
    assert _titles(anna_client.get("/visits/", {"q": "hopper"})) == ["Interview"]
    assert "No visit matches" in anna_client.get("/visits/", {"q": "nothing"}).text


def test_search_through_htmx_answers_only_the_results(anna_client, anna, berlin):
    portal_visit(host=anna, location=berlin, name="Board meeting")

    response = anna_client.get("/visits/", {"q": "board"}, HTTP_HX_REQUEST="true")

    assert response.text.lstrip().startswith('<div id="visit-results"')
    assert "<html" not in response.text


def test_visits_are_paged_twenty_at_a_time(anna_client, anna, berlin):
    now = timezone.now()
    for n in range(25):
        EventFactory(
            name=f"Visit {n:02d}", host=anna, location=berlin, starts_at=now + dt.timedelta(days=n + 1)
        )

    first = anna_client.get("/visits/")
    second = anna_client.get("/visits/", {"page": 2})

    assert _titles(first) == [f"Visit {n:02d}" for n in range(20)]
    assert _titles(second) == [f"Visit {n:02d}" for n in range(20, 25)]
    assert "Page 2 of 2" in second.text


def test_my_visits_renders_in_a_fixed_number_of_queries(
    anna_client, anna, jan, berlin, prague, django_assert_num_queries
):
    calendar = IntegrationFactory()
    now = timezone.now()

    def add(n: int) -> None:
        for i in range(n):
            event = EventFactory(
                host=anna, location=berlin if i % 2 else prague, starts_at=now + dt.timedelta(days=i - 3)
            )
            InvitationFactory(event=event)
            EventFactory(
                host=anna, creator=jan, location=berlin, integration=calendar, source_id=f"c-{n}-{i}"
            )

    add(2)
    # session, user, employee, count, page of visits
    with django_assert_num_queries(5):
        anna_client.get("/visits/")
    add(10)
    with django_assert_num_queries(5):
        response = anna_client.get("/visits/")
    assert len(response.context["visits"]) == 20
