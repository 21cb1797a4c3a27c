"""Erasure: every invitation of an address anonymised, upcoming ones removed, the host told, not the guest."""

import json

import pytest
from django.core.management import CommandError, call_command

from apps.notifications.models import OutboxMessage
from apps.privacy.hashing import address_hash
from apps.privacy.models import PrivacyRecord
from apps.privacy.selectors import guest_export_get
from apps.privacy.services import guest_erase
from apps.visits.actors import Actor
from apps.visits.models import AuditEntry, Contact, Event, Invitation
from apps.visits.sync import EventInput, PersonInput, events_sync
from tests.factories import acting
from tests.privacy.conftest import NOW, person

pytestmark = pytest.mark.django_db
ADMIN = Actor.of_system("tests")


def erase(address: str = "jsmith@example.com"):
    return guest_erase(actor=ADMIN, address=address, now=NOW).as_json()


@pytest.fixture
def visits(visit):
    past = visit("past", ended_days_ago=10, guests=[person("g1", "JSmith@Example.com", "John", "Smith")])
    upcoming = visit(
        "upcoming",
        ended_days_ago=-3,
        guests=[
            person("g1", "JSmith@Example.com", "John", "Smith"),
            person("g2", "ann@example.com", "Ann", "Lee"),
        ],
    )
    OutboxMessage.objects.update(status=OutboxMessage.Status.SENT, sent_at=NOW)
    return past, upcoming


def test_erase_anonymises_every_invitation_and_counts(visits):
    _past, _upcoming = visits

    assert erase() == {"invitations": 2, "contacts": 1, "cancelled": 1}

    for event in visits:
        invitation = Invitation.objects.exclude(contact__email="ann@example.com").get(event=event)
        assert (invitation.contact.email, invitation.contact.first_name, invitation.contact.last_name) == (
            "",
            "",
            "",
        )
    assert not Contact.objects.filter(email__iexact="jsmith@example.com").exists()


def test_upcoming_invitation_is_cancelled_and_a_past_visit_keeps_its_status(visits):
    past, upcoming = visits
    Invitation.objects.filter(event=past).update(status=Invitation.Status.CHECKED_OUT)

    erase()

    removed = Invitation.objects.exclude(contact__email="ann@example.com").get(event=upcoming)
    assert (removed.status, removed.cancel_reason, removed.cancelled_at) == ("CANCELLED", "REMOVED", NOW)
    assert Invitation.objects.get(event=past).status == "CHECKED_OUT"
    assert Invitation.objects.get(event=upcoming, contact__email="ann@example.com").status == "INVITED"


def test_the_guest_is_sent_nothing_and_the_host_is_told(visits):
    _past, upcoming = visits
    guest_messages_before = OutboxMessage.objects.exclude(kind=OutboxMessage.Kind.HOST_SUMMARY).count()

    erase()

    removed = Invitation.objects.exclude(contact__email="ann@example.com").get(event=upcoming)
    new_host_messages = OutboxMessage.objects.filter(
        kind=OutboxMessage.Kind.HOST_SUMMARY, payload__erased=True
    )
    assert [(m.event_id, m.employee_id, m.payload) for m in new_host_messages] == [
        (upcoming.pk, upcoming.host_id, {"invited": [], "removed": [removed.pk], "erased": True})
    ]
    # Only Ann's own messages are left; none is new, and none is to the erased address.
    assert (
        OutboxMessage.objects.exclude(kind=OutboxMessage.Kind.HOST_SUMMARY).count()
        == guest_messages_before - 2
    )
    assert not OutboxMessage.objects.filter(invitation__in=Invitation.objects.filter(pk=removed.pk)).exists()


def test_unsent_messages_to_the_address_are_discarded(visits):
    _past, _upcoming = visits
    OutboxMessage.objects.update(status=OutboxMessage.Status.PENDING, sent_at=None)

    erase()

    pending = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).exclude(
        kind=OutboxMessage.Kind.HOST_SUMMARY
    )
    assert {m.invitation.contact.email for m in pending} == {"ann@example.com"}


def test_erased_invitation_never_comes_back_when_its_event_is_reactivated(visit, integration):
    event = visit("soon", ended_days_ago=-3, guests=[person("g1", "jsmith@example.com", "John", "Smith")])
    cancel = EventInput(source_id="soon", deleted_at=NOW)
    events_sync(actor=acting(integration), events=[cancel])
    erase()

    reactivate = EventInput(
        source_id="soon",
        name="Board meeting",
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        location_id=event.location_id,
        host=PersonInput(email="ada@example.com"),
    )
    [result] = events_sync(actor=acting(integration), events=[reactivate])

    assert result.ok
    assert Event.objects.get(pk=event.pk).status == Event.Status.ACTIVE
    assert list(Invitation.objects.filter(event=event).values_list("status", flat=True)) == ["CANCELLED"]


def test_second_erase_prints_zeros_and_export_is_empty(visits):
    erase()

    assert erase() == {"invitations": 0, "contacts": 0, "cancelled": 0}
    document = guest_export_get(address="jsmith@example.com")
    assert (document["contacts"], document["invitations"], document["messages"]) == ([], [], [])


def test_address_with_no_data_erases_nothing(visits):
    before = list(Invitation.objects.order_by("id").values())

    assert erase("nobody@example.com") == {"invitations": 0, "contacts": 0, "cancelled": 0}

    assert list(Invitation.objects.order_by("id").values()) == before


def test_erasure_is_recorded_with_the_address_only_as_a_hash(visits):
    erase()

    record = PrivacyRecord.objects.get()
    assert (record.action, record.actor, record.address_hash) == (
        "erased",
        "System: tests",
        address_hash(address="jsmith@example.com"),
    )
    assert record.counts == {"invitations": 2, "contacts": 1, "cancelled": 1}
    assert "jsmith" not in json.dumps(list(PrivacyRecord.objects.values("actor", "counts", "address_hash")))


def test_the_removal_is_in_the_audit_trail_without_guest_values(visits):
    _past, upcoming = visits

    erase()

    entry = AuditEntry.objects.get(event=upcoming, action="removed")
    assert (entry.actor, entry.changes) == ("System: tests", {"status": ["INVITED", "CANCELLED"]})


def test_a_failure_half_way_leaves_nothing_half_done(visits, monkeypatch):
    from apps.privacy import services

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "invitations_anonymise", broken)
    before = list(Invitation.objects.order_by("id").values()), OutboxMessage.objects.count()

    with pytest.raises(RuntimeError):
        erase()

    assert (list(Invitation.objects.order_by("id").values()), OutboxMessage.objects.count()) == before
    monkeypatch.undo()
    assert erase() == {"invitations": 2, "contacts": 1, "cancelled": 1}


def test_command_with_yes_prints_counts_as_its_last_line(visits, capsys):
    call_command("guest_erase", "JSMITH@example.com", "--yes")

    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1]) == {
        "invitations": 2,
        "contacts": 1,
        "cancelled": 1,
    }


def test_command_without_confirmation_changes_nothing(visits):
    before = list(Invitation.objects.order_by("id").values())

    with pytest.raises(CommandError) as refused:
        call_command("guest_erase", "jsmith@example.com")

    assert refused.value.returncode == 1
    assert list(Invitation.objects.order_by("id").values()) == before


@pytest.mark.parametrize("command", ["guest_erase", "guest_export"])
def test_command_refuses_a_non_address_with_exit_code_2(command, capsys):
    with pytest.raises(CommandError) as refused:
        call_command(command, "not-an-address", "--yes") if command == "guest_erase" else call_command(
            command, "not-an-address"
        )

    assert refused.value.returncode == 2
    assert capsys.readouterr().out == ""
