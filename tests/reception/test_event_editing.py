"""Super and location admins create and edit portal-made visits in the admin, through the engine."""

import datetime as dt

import pytest
from django.urls import reverse

from apps.notifications.models import OutboxMessage
from apps.visits.models import AuditEntry, Event, Invitation
from tests.factories import EmployeeFactory, EventFactory, IntegrationFactory, InvitationFactory

pytestmark = pytest.mark.django_db

ADD = reverse("admin:visits_event_add")


def _management(total: int, initial: int = 0) -> dict:
    return {
        "guests-TOTAL_FORMS": str(total),
        "guests-INITIAL_FORMS": str(initial),
        "guests-MIN_NUM_FORMS": "0",
        "guests-MAX_NUM_FORMS": "1000",
    }


def _visit(location, host, **fields) -> dict:
    data = {
        "name": "Board meeting",
        "description": "",
        "location": location.pk,
        "entrance": "",
        "starts_at": "2030-03-01T10:00",
        "ends_at": "2030-03-01T11:30",
        "host": host.pk,
        **_management(2),
        "guests-0-first_name": "Grace",
        "guests-0-last_name": "Hopper",
        "guests-0-email": "grace@example.org",
        "guests-0-company_name": "Navy",
        "guests-0-language": "EN",
        "guests-1-first_name": "Alan",
        "guests-1-last_name": "Turing",
        "guests-1-email": "alan@example.org",
        "guests-1-company_name": "",
        "guests-1-language": "DE",
    }
    data.update(fields)
    return data


def test_a_location_admin_creates_a_visit_through_the_engine(client, location_admin, berlin, host):
    client.force_login(location_admin)

    response = client.post(ADD, _visit(berlin, host))

    event = Event.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:visits_event_change", args=[event.pk])
    # 10:00 typed at a Berlin location is 09:00 UTC in March.
    assert (event.starts_at, event.ends_at) == (
        dt.datetime(2030, 3, 1, 9, 0, tzinfo=dt.UTC),
        dt.datetime(2030, 3, 1, 10, 30, tzinfo=dt.UTC),
    )
    assert (event.integration_id, event.source_id[:7], event.host_id) == (None, "portal-", host.pk)
    guests = list(
        event.invitations.order_by("pk").values_list("contact__last_name", "language", "contact__source_id")
    )
    assert [(last, language) for last, language, _ in guests] == [("Hopper", "EN"), ("Turing", "DE")]
    assert all(source_id.startswith("guest-") for _, _, source_id in guests)
    assert sorted(OutboxMessage.objects.values_list("kind", flat=True)) == ["INVITATION", "INVITATION"]
    assert set(AuditEntry.objects.values_list("actor", "door")) == {("User: leo", "admin")}


def test_renaming_a_guest_keeps_their_invitation_and_removing_one_cancels_them(
    client, location_admin, berlin, host
):
    client.force_login(location_admin)
    client.post(ADD, _visit(berlin, host))
    event = Event.objects.get()
    grace, alan = event.invitations.select_related("contact").order_by("pk")
    edit = reverse("admin:visits_event_change", args=[event.pk])

    response = client.post(
        edit,
        _visit(
            berlin,
            host,
            **_management(2, initial=2),
            **{
                "guests-0-source_id": grace.contact.source_id,
                "guests-0-first_name": "Grace B.",
                "guests-1-source_id": alan.contact.source_id,
                "guests-1-DELETE": "on",
            },
        ),
    )

    assert response.status_code == 302
    grace.refresh_from_db()
    alan.refresh_from_db()
    assert (grace.status, grace.contact.first_name) == ("INVITED", "Grace B.")
    assert alan.status == "CANCELLED"
    assert Invitation.objects.count() == 2


def test_engine_errors_appear_next_to_their_fields_and_nothing_is_saved(
    client, location_admin, berlin, prague
):
    elsewhere = EmployeeFactory(email="prague-only@example.com")
    elsewhere.hosting_locations.set([prague])
    client.force_login(location_admin)

    response = client.post(ADD, _visit(berlin, elsewhere, **{"guests-1-first_name": "Al\x07an"}))

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["host"]
    assert list(response.context["guests"].forms[1].errors) == ["first_name"]
    assert response.context["guests"].forms[0].errors == {}
    assert (Event.objects.count(), OutboxMessage.objects.count(), AuditEntry.objects.count()) == (0, 0, 0)


def test_another_location_is_not_a_choice(client, location_admin, prague, host):
    client.force_login(location_admin)

    response = client.post(ADD, _visit(prague, host))

    assert list(response.context["form"].errors) == ["location"]
    assert Event.objects.count() == 0


def test_an_integrations_visit_is_read_only_and_says_who_owns_it(client, location_admin, berlin, host):
    event = EventFactory(
        location=berlin, host=host, integration=IntegrationFactory(name="HR calendar"), source_id="m-1"
    )
    InvitationFactory(event=event)
    client.force_login(location_admin)
    url = reverse("admin:visits_event_change", args=[event.pk])

    page = client.get(url, {"edit": "1"}).content.decode()
    refused = client.post(url, _visit(berlin, host, name="Renamed"))

    assert "This visit belongs to <strong>HR calendar</strong>" in page
    assert "Edit visit and guests" not in page
    assert refused.status_code == 403
    event.refresh_from_db()
    assert event.name != "Renamed"
    assert OutboxMessage.objects.count() == 0


def test_a_portal_visit_offers_the_edit_form_to_its_location_admin(client, location_admin, berlin, host):
    event = EventFactory(location=berlin, host=host, source_id="portal-x")
    client.force_login(location_admin)
    url = reverse("admin:visits_event_change", args=[event.pk])

    assert "Edit visit and guests" in client.get(url).content.decode()
    assert client.get(url, {"edit": "1"}).context["form"].initial["name"] == event.name


def test_reception_cannot_edit_a_visit(client, reception, berlin, host):
    event = EventFactory(location=berlin, host=host, source_id="portal-x", name="Kept")
    client.force_login(reception)
    url = reverse("admin:visits_event_change", args=[event.pk])

    assert "Edit visit and guests" not in client.get(url).content.decode()
    assert client.post(url, _visit(berlin, host, name="Renamed")).status_code == 403
    assert Event.objects.get(pk=event.pk).name == "Kept"
