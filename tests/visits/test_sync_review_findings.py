"""Inputs that once lost data or crashed, and the rules they exposed."""

import datetime as dt

import pytest
from django.db import OperationalError
from django.utils import timezone

from apps.directory.models import CustomField, Employee
from apps.notifications.models import OutboxMessage
from apps.visits.models import Contact, Event, Invitation
from apps.visits.sync import EventInput, PersonInput, events_sync
from tests.factories import CustomFieldFactory, acting
from tests.visits.conftest import db_state, guest
from tests.visits.wire import WireError, wire

pytestmark = pytest.mark.django_db
DELETED_AT = dt.datetime(2026, 11, 21, 12, 0, tzinfo=dt.UTC)


def test_guest_source_id_is_taken_exactly_as_sent(integration, make_event):
    events_sync(
        actor=acting(integration), events=[make_event("a", invitations=[guest("g1", company_name="Acme")])]
    )

    events_sync(
        actor=acting(integration),
        events=[
            make_event(
                "b", invitations=[guest(source_id=" g1 ", email="grace@example.org", first_name="Grace")]
            )
        ],
    )

    assert sorted(Contact.objects.values_list("source_id", "email", "company_name")) == [
        (" g1 ", "grace@example.org", ""),
        ("g1", "g1@example.org", "Acme"),
    ]


def test_all_blank_guest_source_id_is_a_validation_error(integration, make_event):
    [result] = events_sync(actor=acting(integration), events=[make_event(invitations=[guest("   ")])])

    assert (result.status, [e.field for e in wire(result)]) == (
        "ERROR_VALIDATION",
        ["invitations[0].sourceId"],
    )


def test_partial_guest_update_keeps_the_fields_it_does_not_send(integration, make_event):
    events_sync(
        actor=acting(integration), events=[make_event("a", invitations=[guest("g1", company_name="Acme")])]
    )

    events_sync(
        actor=acting(integration),
        events=[make_event("b", invitations=[guest(source_id="g1", email="new@example.org")])],
    )

    contact = Contact.objects.get()
    assert (contact.email, contact.first_name, contact.last_name, contact.company_name) == (
        "new@example.org",
        "Guest",
        "G1",
        "Acme",
    )


def test_later_unchanged_event_restores_a_guest_an_earlier_one_changed(integration, make_event):
    events_sync(
        actor=acting(integration),
        events=[
            make_event("a", invitations=[guest("g1", company_name="Old")]),
            make_event("b", invitations=[guest("g1", company_name="Old")]),
        ],
    )

    results = events_sync(
        actor=acting(integration),
        events=[
            make_event("a", invitations=[guest("g1", company_name="New")]),
            make_event("b", invitations=[guest("g1", company_name="Old")]),
        ],
    )

    assert [r.action for r in results] == ["updated", "unchanged"]
    assert Contact.objects.get().company_name == "Old"


def test_later_unchanged_event_restores_a_host_an_earlier_one_changed(integration, make_event):
    ada = PersonInput(email="ceo@example.com", first_name="Ada")
    events_sync(actor=acting(integration), events=[make_event("a", host=ada), make_event("b", host=ada)])

    events_sync(
        actor=acting(integration),
        events=[
            make_event("a", host=PersonInput(email="ceo@example.com", first_name="Augusta")),
            make_event("b", host=ada),
        ],
    )

    assert Employee.objects.get().first_name == "Ada"


def test_guest_list_change_counts_as_a_change_of_the_event(integration, make_event):
    events_sync(actor=acting(integration), events=[make_event(invitations=[guest("g1")])])
    before = Event.objects.get().updated_at

    events_sync(
        actor=acting(integration),
        events=[EventInput(source_id="meeting-1", invitations=[guest("g1"), guest("g2")])],
    )

    assert Event.objects.get().updated_at > before


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ({"name": "Board\nmeeting"}, "name"),
        (
            {"host": PersonInput(email="ceo@example.com", first_name="Ada\r\nBcc: x@evil.example")},
            "host.firstName",
        ),
        ({"invitations": [guest("g1", last_name="Smith\nBcc: x@evil.example")]}, "invitations[0].lastName"),
        ({"invitations": [guest("g1", company_name="Acme\tLtd")]}, "invitations[0].companyName"),
    ],
)
def test_control_characters_in_single_line_values_are_refused(integration, make_event, fields, path):
    [result] = events_sync(actor=acting(integration), events=[make_event(**fields)])

    assert (result.status, wire(result)) == (
        "ERROR_VALIDATION",
        [WireError(path, "Line breaks and other control characters are not allowed here.")],
    )
    assert db_state()["events"] == []


def test_line_breaks_are_fine_in_a_description(integration, make_event):
    [result] = events_sync(
        actor=acting(integration), events=[make_event(description="Agenda:\n1. Budget\n2. Hiring")]
    )

    assert (result.status, Event.objects.get().description) == ("SUCCESS", "Agenda:\n1. Budget\n2. Hiring")


def test_integer_beyond_json_precision_is_an_invalid_number(integration, make_event):
    field = CustomFieldFactory(field_type=CustomField.FieldType.NUMBER)

    [result] = events_sync(
        actor=acting(integration), events=[make_event(custom_fields={str(field.id): 10**400})]
    )

    assert (result.status, wire(result)) == (
        "ERROR_INVALID_CUSTOM_FIELD_VALUE",
        [WireError(f"customFields.{field.id}", "Expected a number between -(2^53) and 2^53.")],
    )


def test_null_host_email_is_a_validation_error_even_for_a_new_event(integration, make_event):
    [result] = events_sync(actor=acting(integration), events=[make_event(host=PersonInput(email=None))])

    assert (result.status, wire(result)) == (
        "ERROR_VALIDATION",
        [WireError("host.email", "host.email may not be null.")],
    )


def test_cancelling_records_when(integration, make_event):
    events_sync(actor=acting(integration), events=[make_event(invitations=[guest("g1")])])

    events_sync(actor=acting(integration), events=[EventInput(source_id="meeting-1", deleted_at=DELETED_AT)])

    assert Event.objects.get().cancelled_at == DELETED_AT
    assert Invitation.objects.get().cancelled_at == DELETED_AT


def test_guest_removed_with_deleted_at_records_it(integration, make_event):
    events_sync(actor=acting(integration), events=[make_event(invitations=[guest("g1")])])

    events_sync(
        actor=acting(integration),
        events=[EventInput(source_id="meeting-1", invitations=[guest("g1", deleted_at=DELETED_AT)])],
        ignore_missing_invitations=True,
    )

    assert Invitation.objects.get().cancelled_at == DELETED_AT


def test_guest_dropped_from_the_list_records_the_time_of_removal(integration, make_event):
    events_sync(actor=acting(integration), events=[make_event(invitations=[guest("g1")])])
    before = timezone.now()

    events_sync(actor=acting(integration), events=[EventInput(source_id="meeting-1", invitations=[])])

    assert before <= Invitation.objects.get().cancelled_at <= timezone.now()


def test_reactivation_clears_the_cancellation_times(integration, make_event):
    events_sync(actor=acting(integration), events=[make_event(invitations=[guest("g1")])])
    events_sync(actor=acting(integration), events=[EventInput(source_id="meeting-1", deleted_at=DELETED_AT)])

    events_sync(actor=acting(integration), events=[EventInput(source_id="meeting-1", name="Back on")])

    assert (Event.objects.get().cancelled_at, Invitation.objects.get().cancelled_at) == (None, None)


@pytest.mark.django_db(transaction=True)  # outside a test transaction, where the engine may retry
def test_a_batch_that_loses_a_deadlock_is_retried(integration, make_event, monkeypatch):
    from psycopg import errors

    from apps.visits.sync import engine

    real, calls = engine._sync_batch, []

    def lose_once(*args):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("deadlock detected") from errors.DeadlockDetected("deadlock detected")
        return real(*args)

    monkeypatch.setattr(engine, "_sync_batch", lose_once)

    [result] = engine.events_sync(actor=acting(integration), events=[make_event()])

    assert (len(calls), result.action, Event.objects.count()) == (2, "created", 1)


@pytest.mark.django_db(transaction=True)
def test_other_database_errors_are_not_retried(integration, make_event, monkeypatch):
    from apps.visits.sync import engine

    calls = []

    def fail(*args):
        calls.append(1)
        raise OperationalError("disk full")

    monkeypatch.setattr(engine, "_sync_batch", fail)

    with pytest.raises(OperationalError):
        engine.events_sync(actor=acting(integration), events=[make_event()])
    assert (len(calls), OutboxMessage.objects.count()) == (1, 0)
