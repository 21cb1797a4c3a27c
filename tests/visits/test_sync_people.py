"""Guests as contacts shared across events; hosts and creators as employees."""

import pytest

from apps.directory.models import Employee
from apps.visits.models import Contact, Event, Invitation
from apps.visits.sync import EventInput, PersonInput, events_sync
from tests.factories import EmployeeFactory, IntegrationFactory, LocationFactory, acting
from tests.visits.conftest import db_state, guest
from tests.visits.wire import WireError, wire

pytestmark = pytest.mark.django_db


def test_same_guest_source_id_in_two_events_is_one_contact(integration, make_event):
    events_sync(
        actor=acting(integration),
        events=[make_event("a", invitations=[guest("g1")]), make_event("b", invitations=[guest("g1")])],
    )

    contact = Contact.objects.get()
    assert sorted(Invitation.objects.values_list("event__source_id", "contact_id")) == [
        ("a", contact.id),
        ("b", contact.id),
    ]


def test_changing_a_guest_in_one_event_changes_them_everywhere(integration, make_event):
    events_sync(
        actor=acting(integration),
        events=[make_event("a", invitations=[guest("g1")]), make_event("b", invitations=[guest("g1")])],
    )

    events_sync(
        actor=acting(integration),
        events=[
            EventInput(
                source_id="a", invitations=[guest("g1", company_name="Initech", email="new@example.org")]
            )
        ],
    )

    contact = Contact.objects.get()
    assert (contact.email, contact.company_name, contact.invitations.count()) == (
        "new@example.org",
        "Initech",
        2,
    )


def test_last_occurrence_of_a_guest_in_one_request_wins(integration, make_event):
    events_sync(
        actor=acting(integration),
        events=[
            make_event("a", invitations=[guest("g1", company_name="First")]),
            make_event("b", invitations=[guest("g1", company_name="Last")]),
        ],
    )

    assert Contact.objects.get().company_name == "Last"


def test_guest_of_a_failed_event_does_not_change_the_contact(integration, make_event):
    events_sync(
        actor=acting(integration), events=[make_event("a", invitations=[guest("g1", company_name="Acme")])]
    )

    events_sync(
        actor=acting(integration),
        events=[make_event("b", location_id=0, invitations=[guest("g1", company_name="Hijacked")])],
    )

    assert Contact.objects.get().company_name == "Acme"


def test_guests_without_source_id_have_contacts_of_their_own(integration, make_event):
    jane = guest(email="jane@example.org", first_name="Jane", last_name="Doe")

    events_sync(
        actor=acting(integration),
        events=[make_event("a", invitations=[jane]), make_event("b", invitations=[jane])],
    )

    assert Contact.objects.count() == 2


def test_contacts_of_two_integrations_are_separate(make_event):
    first, second = IntegrationFactory(), IntegrationFactory()

    events_sync(actor=acting(first), events=[make_event(invitations=[guest("g1", company_name="One")])])
    events_sync(actor=acting(second), events=[make_event(invitations=[guest("g1", company_name="Two")])])

    assert sorted(Contact.objects.values_list("integration_id", "company_name")) == [
        (first.id, "One"),
        (second.id, "Two"),
    ]


def test_unknown_host_email_creates_an_employee(integration, make_event):
    host = PersonInput(
        email="New.Host@Example.com", first_name="New", last_name="Host", phone_number="+4930123"
    )

    events_sync(actor=acting(integration), events=[make_event(host=host)])

    employee = Employee.objects.get()
    assert (employee.email, employee.first_name, employee.last_name, employee.phone_number) == (
        "new.host@example.com",
        "New",
        "Host",
        "+4930123",
    )
    assert Event.objects.get().host == employee


def test_known_host_email_updates_name_and_phone(integration, make_event):
    existing = EmployeeFactory(email="ceo@example.com", first_name="Old", last_name="Name", phone_number="1")

    events_sync(
        actor=acting(integration),
        events=[
            make_event(host=PersonInput(email="CEO@example.com", first_name="Ada", phone_number="+49 30 1"))
        ],
    )

    existing.refresh_from_db()
    assert (existing.first_name, existing.last_name, existing.phone_number) == ("Ada", "Name", "+49 30 1")
    assert (Employee.objects.count(), Event.objects.get().host_id) == (1, existing.id)


def test_creator_becomes_an_employee_too(integration, make_event):
    events_sync(
        actor=acting(integration),
        events=[make_event(creator=PersonInput(email="assistant@example.com", first_name="Bob"))],
    )

    assert Event.objects.get().creator.first_name == "Bob"


def test_host_not_permitted_at_the_location_is_refused(integration, make_event, location, restricted_host):
    before = db_state()

    [result] = events_sync(
        actor=acting(integration), events=[make_event(host=PersonInput(email=restricted_host.email))]
    )

    assert (result.status, wire(result)) == (
        "ERROR_USER_CANNOT_HOST_AT_LOCATION",
        [WireError("host.email", f"restricted@example.com may not host at location {location.id}.")],
    )
    assert db_state() == before


def test_host_permitted_at_the_location_is_accepted(integration, make_event, restricted_host):
    allowed = restricted_host.hosting_locations.get()

    [result] = events_sync(
        actor=acting(integration),
        events=[make_event(location_id=allowed.id, host=PersonInput(email=restricted_host.email))],
    )

    assert (result.status, result.action) == ("SUCCESS", "created")


def test_deactivated_host_cannot_host_anywhere(integration, make_event):
    EmployeeFactory(email="gone@example.com", is_active=False)

    [result] = events_sync(
        actor=acting(integration), events=[make_event(host=PersonInput(email="gone@example.com"))]
    )

    assert (result.status, wire(result)) == (
        "ERROR_USER_CANNOT_HOST_AT_LOCATION",
        [WireError("host.email", "gone@example.com is deactivated and cannot host.")],
    )


def test_moving_an_event_where_its_host_may_not_host_is_refused(integration, make_event, restricted_host):
    allowed = restricted_host.hosting_locations.get()
    events_sync(
        actor=acting(integration),
        events=[make_event(location_id=allowed.id, host=PersonInput(email=restricted_host.email))],
    )
    before = db_state()

    [result] = events_sync(
        actor=acting(integration),
        events=[EventInput(source_id="meeting-1", location_id=LocationFactory().id)],
    )

    assert result.status == "ERROR_USER_CANNOT_HOST_AT_LOCATION"
    assert db_state() == before


def test_malformed_host_email_is_a_validation_error(integration, make_event):
    [result] = events_sync(actor=acting(integration), events=[make_event(host=PersonInput(email="nope"))])

    assert (result.status, [e.field for e in wire(result)]) == ("ERROR_VALIDATION", ["host.email"])
    assert Employee.objects.count() == 0


def test_null_host_is_a_validation_error(integration, make_event):
    events_sync(actor=acting(integration), events=[make_event()])

    [result] = events_sync(actor=acting(integration), events=[EventInput(source_id="meeting-1", host=None)])

    assert (result.status, wire(result)) == (
        "ERROR_VALIDATION",
        [WireError("host", "host may not be null.")],
    )
