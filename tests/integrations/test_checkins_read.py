"""GET /api/v2/check-ins and /check-ins/{id}: shape, every filter, paging, who sees what, refused input."""

import datetime as dt
import zoneinfo

import pytest

from apps.directory.models import AccessPartition, AccessProfile, CustomField
from apps.visits.models import CheckIn
from tests.factories import EntranceFactory, IntegrationFactory, LocationFactory
from tests.integrations.checkins_helpers import CHECK_INS_URL, STARTS, arrive, grant, guest_of, leave
from tests.integrations.conftest import ApiClient, assert_problem

pytestmark = pytest.mark.django_db

ARRIVED = STARTS - dt.timedelta(minutes=3)  # 08:57 CET
LEFT = STARTS + dt.timedelta(hours=2, minutes=5)


@pytest.fixture
def berlin():
    return LocationFactory(name="Berlin HQ", timezone="Europe/Berlin")


def local(value: dt.datetime) -> str:
    return value.astimezone(zoneinfo.ZoneInfo("Europe/Berlin")).isoformat()


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


def test_a_check_in_of_an_own_event_reads_as_the_contract_shows(api, integration, berlin):
    entrance = EntranceFactory(location=berlin, name="North gate")
    field = CustomField.objects.create(name="Plate", field_type="TEXT", scope="BOTH")
    partition = AccessPartition.objects.create(name="Doors")
    profile = AccessProfile.objects.create(partition=partition, source_id="visitors-floor-3")
    invitation = guest_of(
        location=berlin,
        integration=integration,
        event_source_id="meeting-456",
        guest_source_id="guest-101",
        custom_fields={str(field.pk): "Security clearance required"},
    )
    invitation.custom_fields = {str(field.pk): "B-XY 123"}
    invitation.save()
    invitation.access_profiles.set([profile])
    check_in = arrive(invitation, ARRIVED, entrance_id=entrance.pk)

    response = api.get(f"{CHECK_INS_URL}/{check_in.pk}")

    assert response.status_code == 200
    assert response.json() == {
        "id": check_in.pk,
        "state": "ON_SITE",
        "arrivedAt": "2026-12-01T08:57:00+01:00",
        "leftAt": None,
        "locationId": berlin.pk,
        "entranceId": entrance.pk,
        "guest": {
            "email": "jsmith@example.com",
            "firstName": "John",
            "lastName": "Smith",
            "companyName": "Acme",
            "language": "EN",
        },
        "invitation": {"id": invitation.pk, "sourceId": "guest-101"},
        "event": {
            "id": invitation.event_id,
            "sourceId": "meeting-456",
            "name": "Board meeting",
            "startsAt": "2026-12-01T09:00:00+01:00",
            "endsAt": "2026-12-01T11:00:00+01:00",
            "host": {"email": "ada@example.com", "firstName": "Ada", "lastName": "Lovelace"},
        },
        "customFields": {str(field.pk): "B-XY 123"},
        "accessProfiles": [{"partitionId": partition.pk, "sourceId": "visitors-floor-3"}],
        "createdAt": local(check_in.created_at),
        "updatedAt": local(check_in.updated_at),
    }


def test_a_guest_who_left_reads_as_left_with_the_time(api, integration, berlin):
    invitation = guest_of(location=berlin, integration=integration)
    check_in = arrive(invitation, ARRIVED)
    leave(invitation, LEFT)

    body = api.get(f"{CHECK_INS_URL}/{check_in.pk}").json()

    check_in.refresh_from_db()
    assert (body["state"], body["leftAt"], body["updatedAt"]) == (
        "LEFT",
        "2026-12-01T11:05:00+01:00",
        local(check_in.updated_at),
    )
    assert check_in.updated_at > check_in.created_at


def test_a_guest_who_comes_back_gets_a_new_check_in(api, integration, berlin):
    invitation = guest_of(location=berlin, integration=integration)
    first = arrive(invitation, ARRIVED)
    leave(invitation, ARRIVED + dt.timedelta(hours=1))
    second = arrive(invitation, ARRIVED + dt.timedelta(hours=1, minutes=30))

    response = api.get(CHECK_INS_URL)

    assert ids(response) == [second.pk, first.pk]
    assert [item["state"] for item in response.json()["results"]] == ["ON_SITE", "LEFT"]


def test_a_granted_location_shows_every_door_s_check_ins_without_foreign_source_ids(api, integration, berlin):
    other = IntegrationFactory(name="Other calendar")
    portal_made = guest_of(
        location=berlin, integration=None, event_source_id="portal-1", guest_source_id="guest-x"
    )
    foreign = guest_of(
        location=berlin, integration=other, event_source_id="theirs", guest_source_id="their-guest"
    )
    grant(integration, berlin)
    a = arrive(portal_made, ARRIVED)
    b = arrive(foreign, ARRIVED + dt.timedelta(minutes=1))

    response = api.get(CHECK_INS_URL)

    assert ids(response) == [b.pk, a.pk]
    assert [
        (item["invitation"]["sourceId"], item["event"]["sourceId"]) for item in response.json()["results"]
    ] == [
        (None, None),
        (None, None),
    ]


def test_check_ins_of_other_integrations_elsewhere_answer_404_and_are_not_listed(api, berlin):
    other = IntegrationFactory(name="Other calendar")
    hidden = arrive(guest_of(location=berlin, integration=other, event_source_id="theirs"), ARRIVED)
    grant(other, berlin)  # another integration's grant gives this one nothing

    assert ids(api.get(CHECK_INS_URL)) == []
    assert_problem(api.get(f"{CHECK_INS_URL}/{hidden.pk}"), 404)


def test_an_own_event_at_a_location_not_granted_is_still_visible(api, integration, berlin):
    grant(integration, LocationFactory(name="Prague"))
    own = arrive(guest_of(location=berlin, integration=integration), ARRIVED)

    assert ids(api.get(CHECK_INS_URL)) == [own.pk]


def test_an_unknown_or_out_of_range_id_is_a_404(api):
    assert_problem(api.get(f"{CHECK_INS_URL}/999999"), 404)
    assert_problem(api.get(f"{CHECK_INS_URL}/99999999999999999999999"), 404)


@pytest.fixture
def three(integration, berlin):
    """Three guests of own events: one left, one on site at Berlin, one on site at Prague."""
    prague = LocationFactory(name="Prague", timezone="Europe/Prague")
    left = guest_of(location=berlin, integration=integration, event_source_id="m-1")
    on_site = guest_of(location=berlin, integration=integration, event_source_id="m-2")
    elsewhere = guest_of(location=prague, integration=integration, event_source_id="m-3")
    first = arrive(left, ARRIVED)
    leave(left, ARRIVED + dt.timedelta(minutes=30))
    second = arrive(on_site, ARRIVED + dt.timedelta(minutes=10))
    third = arrive(elsewhere, ARRIVED + dt.timedelta(minutes=20))
    # When each row was last written, as the check-in services would have at these times.
    for check_in, minutes in ((first, 30), (second, 10), (third, 20)):
        CheckIn.objects.filter(pk=check_in.pk).update(updated_at=ARRIVED + dt.timedelta(minutes=minutes))
    return {"left": first, "on_site": second, "prague": third, "prague_location": prague}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["prague", "on_site", "left"]),
        ({"state": "ON_SITE"}, ["prague", "on_site"]),
        ({"state": "LEFT"}, ["left"]),
        ({"arrivedAfter": "2026-12-01T08:07:00Z"}, ["prague", "on_site"]),
        ({"arrivedBefore": "2026-12-01T09:08:00+01:00"}, ["on_site", "left"]),
        ({"leftAfter": "2026-12-01T08:27:00Z"}, ["left"]),
        ({"leftAfter": "2026-12-01T08:28:00Z"}, []),
        ({"updatedSince": "2026-12-01T08:17:00Z"}, ["prague", "left"]),
        ({"eventSourceId": "m-2"}, ["on_site"]),
        ({"eventSourceId": "nope"}, []),
    ],
)
def test_each_filter_narrows_the_list(api, three, query, expected):
    assert ids(api.get(CHECK_INS_URL, query)) == [three[name].pk for name in expected]


def test_the_location_filter(api, three, berlin):
    assert ids(api.get(CHECK_INS_URL, {"locationId": three["prague_location"].pk})) == [three["prague"].pk]
    assert ids(api.get(CHECK_INS_URL, {"locationId": berlin.pk})) == [three["on_site"].pk, three["left"].pk]


def test_event_source_id_names_own_events_only(api, integration, berlin):
    other = IntegrationFactory(name="Other calendar")
    grant(integration, berlin)
    arrive(guest_of(location=berlin, integration=other, event_source_id="m-1"), ARRIVED)
    own = arrive(guest_of(location=berlin, integration=integration, event_source_id="m-1"), ARRIVED)

    assert ids(api.get(CHECK_INS_URL, {"eventSourceId": "m-1"})) == [own.pk]


def test_pages_follow_next_to_the_end(api, three):
    first = api.get(CHECK_INS_URL, {"limit": 2})
    assert ids(first) == [three["prague"].pk, three["on_site"].pk]
    second = api.client.get(first.json()["next"])
    assert ids(second) == [three["left"].pk]
    assert second.json()["next"] is None


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"state": "GONE"}, "state"),
        ({"state": ""}, "state"),
        ({"locationId": "x"}, "locationId"),
        ({"arrivedAfter": "2026-12-01T08:00:00"}, "arrivedAfter"),
        ({"arrivedBefore": "yesterday"}, "arrivedBefore"),
        ({"leftAfter": ""}, "leftAfter"),
        ({"updatedSince": "2026-13-01T00:00:00Z"}, "updatedSince"),
        ({"eventSourceId": ""}, "eventSourceId"),
        ({"limit": "0"}, "limit"),
        ({"limit": "201"}, "limit"),
        ({"cursor": "forged"}, "cursor"),
    ],
)
def test_a_bad_filter_value_is_a_400_naming_it(api, three, query, field):
    body = assert_problem(api.get(CHECK_INS_URL, query), 400)
    assert [error["field"] for error in body["errors"]] == [field]


def test_the_list_takes_a_fixed_number_of_queries(api, integration, berlin, django_assert_num_queries):
    for number in range(5):
        invitation = guest_of(location=berlin, integration=integration, event_source_id=f"m-{number}")
        arrive(invitation, ARRIVED + dt.timedelta(minutes=number))

    # The token, the page, the guests' access profiles.
    with django_assert_num_queries(3):
        assert len(ids(api.get(CHECK_INS_URL))) == 5


def test_without_a_token_the_list_is_a_401():
    assert_problem(ApiClient(None).get(CHECK_INS_URL), 401)
