"""Retention: due events lose their guests' data for good; everything else stays as it was."""

import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.directory.models import Location
from apps.notifications.models import OutboxMessage
from apps.privacy.models import PrivacyRecord
from apps.privacy.services import retention_apply
from apps.visits.actors import Actor
from apps.visits.models import AuditEntry, Contact, Event, Invitation
from apps.visits.sync import AccessProfileInput
from tests.privacy.conftest import NOW, john_smith, person

pytestmark = pytest.mark.django_db
SYSTEM = Actor.of_system("retention")


def run(**kwargs):
    return retention_apply(actor=SYSTEM, now=NOW, **kwargs).as_json()


def test_event_just_past_the_default_period_is_anonymised(visit, plate, partition, settings):
    settings.GUEST_RETENTION_DAYS = 30
    event = visit(
        "old",
        ended_days_ago=30.01,
        guests=[john_smith(plate, partition)],
    )

    assert run() == {"events": 1, "invitations": 1, "contacts": 1, "dryRun": False}

    event.refresh_from_db()
    invitation = Invitation.objects.select_related("contact").get(event=event)
    assert event.anonymised_at == NOW
    contact = invitation.contact
    assert (contact.email, contact.first_name, contact.last_name, contact.company_name) == ("", "", "", "")
    assert (contact.integration_id, contact.source_id) == (None, None)
    assert invitation.custom_fields == {}
    assert list(invitation.access_profiles.all()) == []
    assert not Contact.objects.filter(email="jsmith@example.com").exists()
    assert OutboxMessage.objects.filter(invitation=invitation).count() == 0


def test_event_just_inside_the_period_is_kept(visit, settings):
    settings.GUEST_RETENTION_DAYS = 30
    event = visit(
        "recent", ended_days_ago=29.99, guests=[person("g1", "jsmith@example.com", "John", "Smith")]
    )

    assert run() == {"events": 0, "invitations": 0, "contacts": 0, "dryRun": False}

    event.refresh_from_db()
    assert event.anonymised_at is None
    assert Invitation.objects.get(event=event).contact.email == "jsmith@example.com"


def test_location_period_overrides_the_default(visit, location, other_location, settings):
    settings.GUEST_RETENTION_DAYS = 365
    Location.objects.filter(pk=location.pk).update(retention_days=7)
    short = visit("berlin", ended_days_ago=8, guests=[person("g1", "a@example.com", "Anna", "Alt")])
    default = visit(
        "prague",
        ended_days_ago=8,
        at_location=other_location,
        guests=[person("g2", "b@example.com", "Ben", "Bo")],
    )

    assert run()["events"] == 1

    assert Event.objects.get(pk=short.pk).anonymised_at == NOW
    assert Event.objects.get(pk=default.pk).anonymised_at is None


def test_status_and_times_stay_for_statistics(visit, settings):
    settings.GUEST_RETENTION_DAYS = 30
    event = visit(
        "old", ended_days_ago=40, guests=[person("g1", "a@example.com", "Anna", "Alt", language="DE")]
    )
    invitation = Invitation.objects.get(event=event)
    Invitation.objects.filter(pk=invitation.pk).update(
        status=Invitation.Status.CHECKED_OUT,
        checked_in_at=event.starts_at,
        checked_out_at=event.ends_at,
    )

    run()

    after = Invitation.objects.get(pk=invitation.pk)
    assert (after.event_id, after.status, after.language, after.checked_in_at, after.checked_out_at) == (
        event.pk,
        Invitation.Status.CHECKED_OUT,
        "DE",
        event.starts_at,
        event.ends_at,
    )


def test_contact_a_later_visit_still_needs_stays_for_it(visit, settings):
    settings.GUEST_RETENTION_DAYS = 30
    old = visit("old", ended_days_ago=40, guests=[person("g1", "jsmith@example.com", "John", "Smith")])
    later = visit("later", ended_days_ago=1, guests=[person("g1", "jsmith@example.com", "John", "Smith")])
    shared = Invitation.objects.get(event=later).contact

    assert run() == {"events": 1, "invitations": 1, "contacts": 0, "dryRun": False}

    assert Invitation.objects.get(event=later).contact_id == shared.pk
    assert Contact.objects.get(pk=shared.pk).email == "jsmith@example.com"
    assert Invitation.objects.get(event=old).contact_id != shared.pk


def test_guest_values_in_the_audit_trail_become_null_and_the_rows_stay(visit, settings):
    settings.GUEST_RETENTION_DAYS = 30
    event = visit("old", ended_days_ago=40, guests=[person("g1", "jsmith@example.com", "John", "Smith")])
    invitation = Invitation.objects.get(event=event)
    entry = AuditEntry.objects.get(invitation=invitation)
    assert entry.changes["email"] == [None, "jsmith@example.com"]

    run()

    entry.refresh_from_db()
    assert entry.changes["email"] == [None, None]
    assert entry.changes["first_name"] == [None, None]
    assert (entry.action, entry.actor) == ("invited", f"Integration: {event.integration.name}")


def test_dry_run_counts_what_the_run_would_do_and_changes_nothing(visit, settings):
    settings.GUEST_RETENTION_DAYS = 30
    visit(
        "old",
        ended_days_ago=40,
        guests=[person("g1", "a@example.com", "Anna", "Alt"), person("g2", "b@example.com", "Ben", "Bo")],
    )
    visit("later", ended_days_ago=1, guests=[person("g1", "a@example.com", "Anna", "Alt")])
    before = list(Contact.objects.order_by("id").values())

    assert run(dry_run=True) == {"events": 1, "invitations": 2, "contacts": 1, "dryRun": True}

    assert list(Contact.objects.order_by("id").values()) == before
    assert PrivacyRecord.objects.count() == 0
    assert run() == {"events": 1, "invitations": 2, "contacts": 1, "dryRun": False}


def test_second_run_right_after_prints_zeros(visit, settings):
    settings.GUEST_RETENTION_DAYS = 30
    visit("old", ended_days_ago=40, guests=[person("g1", "a@example.com", "Anna", "Alt")])
    run()

    assert run() == {"events": 0, "invitations": 0, "contacts": 0, "dryRun": False}


def test_each_run_is_recorded_once_with_the_system_as_actor(visit, settings):
    settings.GUEST_RETENTION_DAYS = 30
    visit("old", ended_days_ago=40, guests=[person("g1", "a@example.com", "Anna", "Alt")])

    run(batch_events=1)

    record = PrivacyRecord.objects.get()
    assert (record.action, record.actor, record.door, record.address_hash) == (
        "retention",
        "System: retention",
        "system",
        "",
    )
    assert record.counts == {"events": 1, "invitations": 1, "contacts": 1}


def test_command_prints_json_as_its_last_line(visit, settings, capsys):
    settings.GUEST_RETENTION_DAYS = 30
    visit("old", ended_days_ago=40, guests=[person("g1", "a@example.com", "Anna", "Alt")])

    call_command("apply_retention", "--dry-run")
    call_command("apply_retention")

    lines = capsys.readouterr().out.strip().splitlines()
    assert json.loads(lines[0]) == {"events": 1, "invitations": 1, "contacts": 1, "dryRun": True}
    assert json.loads(lines[-1]) == {"events": 1, "invitations": 1, "contacts": 1, "dryRun": False}


def test_batches_run_in_their_own_transactions_and_a_rerun_finishes(visit, settings, monkeypatch):
    settings.GUEST_RETENTION_DAYS = 30
    first = visit("a", ended_days_ago=40, guests=[person("g1", "a@example.com", "Anna", "Alt")])
    second = visit("b", ended_days_ago=41, guests=[person("g2", "b@example.com", "Ben", "Bo")])
    from apps.privacy import services

    real = services.invitations_anonymise
    calls = []

    def fail_second(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return real(**kwargs)

    monkeypatch.setattr(services, "invitations_anonymise", fail_second)
    with pytest.raises(RuntimeError):
        run(batch_events=1)

    anonymised = set(Event.objects.filter(anonymised_at__isnull=False).values_list("pk", flat=True))
    assert anonymised == {first.pk}
    # The failed batch left its guest whole: not half anonymised.
    assert Invitation.objects.get(event=second).contact.email == "b@example.com"

    monkeypatch.setattr(services, "invitations_anonymise", real)
    assert run() == {"events": 1, "invitations": 1, "contacts": 1, "dryRun": False}


@pytest.mark.parametrize("events", [2, 20])
def test_anonymising_takes_the_same_statements_for_any_number_of_events(visit, settings, events, partition):
    settings.GUEST_RETENTION_DAYS = 30
    for n in range(events):
        visit(
            f"old-{n}",
            ended_days_ago=40,
            guests=[
                person(
                    f"g{n}-{i}",
                    f"g{n}-{i}@example.com",
                    "G",
                    f"Guest {i}",
                    access_profiles=[AccessProfileInput(partition.id, "lobby")],
                )
                for i in range(3)
            ]
            # A regular visitor at every one of them (one contact, many visits), and at a later one.
            + [person("regular", "regular@example.com", "Rita", "Regular")],
        )
    visit("later", ended_days_ago=1, guests=[person("regular", "regular@example.com", "Rita", "Regular")])

    with CaptureQueriesContext(connection) as queries:
        report = run()

    assert (report["events"], report["invitations"], report["contacts"]) == (events, events * 4, events * 3)
    assert len(queries.captured_queries) == EXPECTED_STATEMENTS[connection.vendor]


# One batch: savepoint, the locations' periods, the due events (locked); then, on PostgreSQL, 14
# statements (invitations, contacts needed elsewhere, contacts blanked in place, new blank contacts for
# shared ones, repointing, custom fields, access profiles, messages, check-ins, webhook attempts and
# deliveries, audit rows rewritten in the database, the admin's history of these guests, freed contacts;
# SQLite reads and writes the audit rows in two); the events marked, release; an empty second batch
# (savepoint, periods, due events, release); the record. Without shared contacts two statements fewer
# (nothing to insert and repoint).
EXPECTED_STATEMENTS = {"postgresql": 24, "sqlite": 25}


def test_benchmark_command_runs_end_to_end_and_leaves_nothing(capsys):
    call_command("bench_retention", "--events", "3", "--guests", "2")

    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert {k: report[k] for k in ("events", "invitations", "contacts", "dryRun")} == {
        "events": 3,
        "invitations": 6,
        "contacts": 6,
        "dryRun": False,
    }
    assert (Event.objects.count(), Contact.objects.count(), PrivacyRecord.objects.count()) == (0, 0, 0)
