import io

import pytest
from django.core import mail
from django.core.management import call_command

from apps.directory.models import Employee, Location
from apps.integrations.models import Integration
from apps.notifications.models import OutboxMessage
from apps.visits.models import Contact, Event, Invitation

PHASES = ["create", "identical re-send", "10% changed", "delete 10%"]


def bench(*args: str) -> str:
    out = io.StringIO()
    call_command("bench_sync", "--events", "5", "--guests", "2", *args, stdout=out)
    return out.getvalue()


def phase_rows(output: str) -> dict[str, dict[str, str]]:
    """The table's row of each phase: events, wall s, events/s, queries, writes, deliveries, actions."""
    rows = {}
    for line in output.splitlines():
        for phase in PHASES:
            if line.startswith(phase + " "):
                cells = line[len(phase) :].split(maxsplit=6)
                names = ["events", "seconds", "rate", "queries", "writes", "deliveries", "actions"]
                rows[phase] = dict(zip(names, cells, strict=True))
    return rows


@pytest.mark.django_db
def test_output_names_every_phase_with_what_the_engine_did() -> None:
    rows = phase_rows(bench())

    assert {phase: (row["events"], row["actions"]) for phase, row in rows.items()} == {
        "create": ("5", "created 5"),
        "identical re-send": ("5", "unchanged 5"),
        "10% changed": ("5", "unchanged 4, updated 1"),
        "delete 10%": ("5", "deleted 1, unchanged 4"),
    }


@pytest.mark.django_db
def test_identical_resend_writes_nothing() -> None:
    rows = phase_rows(bench())

    assert rows["identical re-send"]["writes"] == "0"
    assert rows["create"]["writes"] != "0"


@pytest.mark.django_db
def test_leaves_nothing_behind() -> None:
    bench()

    counts = [model.objects.count() for model in (Event, Contact, Employee, Location, Integration)]
    assert counts == [0, 0, 0, 0, 0]


@pytest.mark.django_db
def test_keep_leaves_the_synced_events() -> None:
    bench("--keep")

    assert Event.objects.filter(status=Event.Status.CANCELLED).count() == 1
    assert Event.objects.filter(status=Event.Status.ACTIVE).count() == 4
    assert Invitation.objects.count() == 10


@pytest.mark.django_db(transaction=True)
def test_deliveries_are_counted_but_no_guest_is_mailed() -> None:
    # Transactional, so the engine's after-commit hand-off really runs (tasks are in-process here).
    rows = phase_rows(bench("--keep"))

    # 10 invitations + the host's confirmation; 2 updates; none; 2 cancellations + confirmation.
    assert [rows[phase]["deliveries"] for phase in PHASES] == ["11", "0", "2", "3"]
    assert mail.outbox == []
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxMessage.Status.PENDING}


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_http_mode_goes_through_a_real_server_and_writes_nothing_on_an_identical_resend() -> None:
    out = io.StringIO()
    call_command("bench_sync", "--events", "5", "--guests", "2", "--http", "--workers", "1", stdout=out)

    rows = {}
    for line in out.getvalue().splitlines():
        for phase in PHASES:
            if line.startswith(phase + " "):
                events, _, _, _, written = line[len(phase) :].split()
                rows[phase] = (events, written)
    assert rows == {
        # 5 events, 10 contacts, 10 invitations, 10 invitations + 1 host confirmation, 5 + 10 audit rows.
        "create": ("5", "51"),
        "identical re-send": ("5", "0"),
        # The moved event, its 2 guests (calendar sequence), 2 update emails, 1 audit row.
        "10% changed": ("5", "6"),
        # The cancelled event, its 2 guests, 2 cancellations + 1 host confirmation, 3 audit rows.
        "delete 10%": ("5", "9"),
    }
    assert Event.objects.count() == 0  # removed afterwards, like the engine mode's


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_deliveries_are_counted_and_nothing_is_handed_to_the_background_sender(
    settings,
) -> None:
    from apps.notifications import background

    settings.OUTBOX_DELIVERY_IN_BACKGROUND = True
    background.outbox_background_stop()

    rows = phase_rows(bench("--keep"))

    assert [rows[phase]["deliveries"] for phase in PHASES] == ["11", "0", "2", "3"]
    assert background._sender is None
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxMessage.Status.PENDING}
