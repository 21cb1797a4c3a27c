import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.visits.models import Invitation
from tests.factories import EntranceFactory, EventFactory, InvitationFactory
from tests.reception.conftest import staff_user, visit_now

pytestmark = pytest.mark.django_db

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")

TODAY = reverse("frontdesk:today")


def _guests(response) -> list[str]:
    return [row["guest"] for row in response.context["rows"]]


def test_reception_sees_todays_guests_of_its_location_only(client, reception, berlin_guest, prague_guest):
    client.force_login(reception)

    response = client.get(TODAY)

    assert response.status_code == 200
    assert _guests(response) == ["Grace Hopper"]
    assert "Tim Berners" not in response.content.decode()


def test_another_locations_desk_is_a_404(client, reception, prague, prague_guest):
    client.force_login(reception)

    assert client.get(TODAY, {"location": prague.pk}).status_code == 404


def test_expected_first_then_on_site_then_left_with_counts(client, reception, berlin, host):
    event = visit_now(berlin, host=host)
    for last_name, status in (("Left", "CHECKED_OUT"), ("Onsite", "CHECKED_IN"), ("Expected", "INVITED")):
        InvitationFactory(event=event, contact__last_name=last_name, status=status)
    InvitationFactory(
        event=event, contact__last_name="Cancelled", status="CANCELLED", cancel_reason="REMOVED"
    )
    client.force_login(reception)

    response = client.get(TODAY)

    assert _guests(response) == ["Grace Expected", "Grace Onsite", "Grace Left"]
    counts = response.context["counts"]
    assert (counts.expected, counts.on_site, counts.left) == (1, 1, 1)


def test_today_is_the_locations_day_not_utcs(client, reception, berlin, host):
    # 00:30 today in Berlin is still yesterday in UTC; 22:30 yesterday in Berlin is not today.
    berlin_today = timezone.now().astimezone(BERLIN).date()
    start = dt.datetime.combine(berlin_today, dt.time(0, 30), tzinfo=BERLIN)
    early = EventFactory(
        location=berlin, host=host, starts_at=start, ends_at=start + dt.timedelta(minutes=30)
    )
    InvitationFactory(event=early, contact__last_name="Early")
    late = EventFactory(
        location=berlin,
        host=host,
        starts_at=start - dt.timedelta(hours=2),
        ends_at=start - dt.timedelta(hours=1),
    )
    InvitationFactory(event=late, contact__last_name="Yesterday")
    client.force_login(reception)

    assert _guests(client.get(TODAY)) == ["Grace Early"]


def test_search_by_name_email_or_company(client, reception, berlin, host):
    event = visit_now(berlin, host=host)
    InvitationFactory(
        event=event, contact__first_name="Barbara", contact__last_name="Liskov", contact__company_name="MIT"
    )
    InvitationFactory(
        event=event, contact__first_name="Donald", contact__last_name="Knuth", contact__email="dk@tex.org"
    )
    client.force_login(reception)

    assert _guests(client.get(TODAY, {"q": "liskov"})) == ["Barbara Liskov"]
    assert _guests(client.get(TODAY, {"q": "tex.org"})) == ["Donald Knuth"]
    assert _guests(client.get(TODAY, {"q": "mit"})) == ["Barbara Liskov"]
    assert _guests(client.get(TODAY, {"q": "barbara liskov"})) == ["Barbara Liskov"]


def test_filter_by_status_and_entrance(client, reception, berlin, host, main_entrance):
    garage = EntranceFactory(location=berlin, name="Garage")
    at_main = visit_now(berlin, host=host, entrance=main_entrance)
    at_garage = visit_now(berlin, host=host, entrance=garage)
    InvitationFactory(event=at_main, contact__last_name="Main", status="CHECKED_IN")
    InvitationFactory(event=at_garage, contact__last_name="Garage")
    client.force_login(reception)

    assert _guests(client.get(TODAY, {"entrance": garage.pk})) == ["Grace Garage"]
    assert _guests(client.get(TODAY, {"status": "on_site"})) == ["Grace Main"]


def test_another_locations_entrance_is_not_a_choice(client, reception, prague):
    other = EntranceFactory(location=prague, name="Prague door")
    client.force_login(reception)

    response = client.get(TODAY, {"entrance": other.pk})

    assert response.context["form"].errors == {
        "entrance": ["Select a valid choice. That choice is not one of the available choices."]
    }


def test_times_are_shown_in_the_locations_zone(client, reception, berlin, host):
    day = timezone.now().astimezone(BERLIN).date()
    start = dt.datetime.combine(day, dt.time(10, 0), tzinfo=BERLIN)
    InvitationFactory(
        event=EventFactory(location=berlin, host=host, starts_at=start, ends_at=start + dt.timedelta(hours=1))
    )
    client.force_login(reception)

    response = client.get(TODAY)

    assert response.context["rows"][0]["when"] == "10:00–11:00"  # noqa: RUF001
    assert f"Time ({start.tzname()})" in response.content.decode()


def test_the_htmx_refresh_gets_the_list_alone_with_the_filters(client, reception, berlin_guest):
    client.force_login(reception)

    response = client.get(TODAY, {"q": "hopper"}, headers={"HX-Request": "true"})

    body = response.content.decode()
    assert body.startswith('<div id="desk-list" hx-get="/admin/frontdesk/?q=hopper"')
    assert "<html" not in body


def test_the_page_works_without_javascript_check_in_is_a_plain_form(client, reception, berlin_guest):
    client.force_login(reception)

    body = client.get(TODAY).content.decode()

    assert f'formaction="/admin/frontdesk/invitations/{berlin_guest.pk}/check-in/"' in body
    assert '<form method="post" class="desk-actions">' in body


@pytest.mark.parametrize("guests", [1, 25])
def test_today_runs_a_fixed_number_of_queries(
    client, reception, berlin, host, main_entrance, guests, django_assert_num_queries
):
    event = visit_now(berlin, host=host, entrance=main_entrance)
    for index in range(guests):
        InvitationFactory(event=event, status="CHECKED_IN" if index % 2 else "INVITED")
    client.force_login(reception)

    # session, user, the user's desks, permissions (2), entrances, guests, counts
    with django_assert_num_queries(8):
        response = client.get(TODAY)

    assert len(response.context["rows"]) == guests


def test_a_staff_user_without_the_front_desk_permission_is_refused(client, berlin, berlin_guest):
    clerk = staff_user("clerk", role=None, locations=[berlin])
    client.force_login(clerk)

    assert client.get(TODAY).status_code == 403


def test_reception_working_nowhere_is_refused(client):
    from apps.reception.roles import RECEPTION

    nowhere = staff_user("nowhere", role=RECEPTION)
    client.force_login(nowhere)

    assert client.get(TODAY).status_code == 403


def test_anonymous_users_go_to_the_login(client):
    response = client.get(TODAY)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_superuser_chooses_among_all_locations(client, superuser, berlin, prague, prague_guest):
    client.force_login(superuser)

    response = client.get(TODAY, {"location": prague.pk})

    assert _guests(response) == ["Tim Berners"]
    assert [loc.name for loc in response.context["locations"]] == ["Berlin HQ", "Prague Office"]


def test_reception_lands_at_the_front_desk_from_the_admin_index(client, reception):
    client.force_login(reception)

    response = client.get("/admin/")

    assert (response.status_code, response["Location"]) == (302, "/admin/frontdesk/")


def test_location_admins_and_superusers_get_the_admin_index(client, location_admin, superuser):
    for user in (location_admin, superuser):
        client.force_login(user)
        assert client.get("/admin/").status_code == 200


def test_a_cancelled_event_is_not_expected(client, reception, berlin_guest):
    from apps.visits.models import Event

    Event.objects.filter(pk=berlin_guest.event_id).update(status="CANCELLED", cancelled_at=timezone.now())
    client.force_login(reception)

    assert _guests(client.get(TODAY)) == []
    assert Invitation.objects.get(pk=berlin_guest.pk).status == "INVITED"


def test_the_desk_speaks_the_users_language(client, reception, berlin_guest):
    client.force_login(reception)

    body = client.get(TODAY, headers={"accept-language": "cs"}).content.decode()

    assert "Dnes: Berlin HQ" in body
    assert "Zapsat příchod" in body
