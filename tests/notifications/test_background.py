"""Delivery without a broker (the demo's default): after the response, on the web process's own thread.

These run with real threads on a real (transactional) database, as `make run` does.
"""

import datetime as dt
import time

import pytest
from django.db import transaction
from django.utils import timezone

from apps.notifications.background import (
    outbox_background_sender,
    outbox_background_stop,
    requests_in_progress,
)
from apps.notifications.models import OutboxMessage
from apps.notifications.services import outbox_dispatch_on_commit
from tests.factories import IntegrationFactory, InvitationFactory, LocationFactory, OutboxMessageFactory
from tests.integrations.conftest import ApiClient
from tests.notifications.backends import GatedEmailBackend

pytestmark = pytest.mark.django_db(transaction=True)

WAIT_SECONDS = 30


@pytest.fixture
def background(settings):
    settings.OUTBOX_DELIVERY_IN_BACKGROUND = True
    settings.EMAIL_BACKEND = "tests.notifications.backends.GatedEmailBackend"
    GatedEmailBackend.reset()
    yield GatedEmailBackend
    GatedEmailBackend.gate.set()  # never leave the thread blocked for the next test
    outbox_background_stop(timeout=WAIT_SECONDS)


def wait_idle() -> None:
    assert outbox_background_sender().wait_idle(timeout=WAIT_SECONDS), "the background sender did not finish"


def statuses() -> list[tuple[str, str, int]]:
    return sorted(OutboxMessage.objects.values_list("kind", "status", "attempts"))


def sync_event_with_three_guests():
    event = {
        "sourceId": "meeting-456",
        "name": "Board meeting",
        "startsAt": "2030-12-03T09:00:00+01:00",
        "endsAt": "2030-12-03T11:00:00+01:00",
        "locationId": LocationFactory().id,
        "host": {"email": "ada@example.com"},
        "invitations": [{"sourceId": f"guest-{n}", "email": f"guest{n}@example.org"} for n in range(1, 4)],
    }
    return ApiClient(IntegrationFactory()).put_events([event])


def test_sync_answers_before_any_email_is_sent(background):
    response = sync_event_with_three_guests()

    assert response.status_code == 200
    assert background.entered.wait(WAIT_SECONDS)  # the sender is inside its first send, held there
    assert (background.sent, sorted(OutboxMessage.objects.values_list("status", flat=True))) == (
        [],
        ["PENDING", "PENDING", "PENDING", "SENDING"],
    )


def test_background_sender_sends_every_message_of_a_sync_once(background):
    background.gate.set()

    sync_event_with_three_guests()
    wait_idle()

    assert statuses() == [("HOST_SUMMARY", "SENT", 1)] + [("INVITATION", "SENT", 1)] * 3
    assert sorted(m.to[0] for m in background.sent) == [
        "ada@example.com",
        "guest1@example.org",
        "guest2@example.org",
        "guest3@example.org",
    ]


def test_rows_dispatched_twice_are_sent_once(background):
    background.gate.set()
    messages = [OutboxMessageFactory(invitation=InvitationFactory()) for _ in range(3)]
    ids = [m.pk for m in messages]

    for _ in range(2):
        with transaction.atomic():
            outbox_dispatch_on_commit(message_ids=ids)
    wait_idle()

    assert (len(background.sent), statuses()) == (3, [("INVITATION", "SENT", 1)] * 3)


def test_nothing_is_queued_for_a_rolled_back_change(background):
    background.gate.set()
    message = OutboxMessageFactory()

    with pytest.raises(RuntimeError), transaction.atomic():
        outbox_dispatch_on_commit(message_ids=[message.pk])
        raise RuntimeError("rolled back")
    wait_idle()

    assert (background.sent, statuses()) == ([], [("INVITATION", "PENDING", 0)])


def test_rows_a_stopped_process_did_not_send_stay_pending_and_the_relay_sends_them(background):
    from apps.notifications.services import outbox_relay

    messages = [OutboxMessageFactory(invitation=InvitationFactory()) for _ in range(4)]
    with transaction.atomic():
        outbox_dispatch_on_commit(message_ids=[m.pk for m in messages])
    assert background.entered.wait(WAIT_SECONDS)

    # The process shuts down while the first message is with the SMTP server.
    sender = outbox_background_sender()
    sender.stop_soon()
    background.gate.set()
    sender.stop(timeout=WAIT_SECONDS)
    outbox_background_stop(timeout=WAIT_SECONDS)
    left_behind = sorted(OutboxMessage.objects.values_list("status", flat=True))
    OutboxMessage.objects.update(created_at=timezone.now() - dt.timedelta(minutes=5))
    report = outbox_relay()  # what the next process's sender (or `manage.py relay_outbox`) runs

    assert (left_behind, report.enqueued, len(background.sent)) == (["PENDING"] * 3 + ["SENT"], 3, 4)
    assert sorted(m.to[0] for m in background.sent) == sorted(
        f"{m.invitation.contact.full_name} <{m.invitation.contact.email}>" for m in messages
    )
    assert statuses() == [("INVITATION", "SENT", 1)] * 4


def test_background_sender_relays_rows_an_earlier_process_left_behind(background):
    background.gate.set()
    message = OutboxMessageFactory(invitation=InvitationFactory())
    OutboxMessage.objects.filter(pk=message.pk).update(created_at=timezone.now() - dt.timedelta(minutes=5))

    outbox_background_sender()  # as the first request of a new process starts it
    deadline = time.monotonic() + WAIT_SECONDS
    while OutboxMessage.objects.get(pk=message.pk).status != "SENT" and time.monotonic() < deadline:
        time.sleep(0.05)

    assert (len(background.sent), statuses()) == (1, [("INVITATION", "SENT", 1)])


def test_first_request_starts_the_sender(background, client):
    outbox_background_stop()

    client.get("/api/v2/schema")

    from apps.notifications import background as module

    assert module._sender is not None and module._sender._thread.is_alive()


def test_sender_gives_way_while_a_request_is_being_served(background):
    background.gate.set()
    message = OutboxMessageFactory(invitation=InvitationFactory())
    requests_in_progress.started()
    try:
        with transaction.atomic():
            outbox_dispatch_on_commit(message_ids=[message.pk])
        during_request = background.entered.wait(0.5)
    finally:
        requests_in_progress.finished()
    wait_idle()

    assert (during_request, len(background.sent), statuses()) == (False, 1, [("INVITATION", "SENT", 1)])


def test_sender_does_not_wait_for_ever_on_a_busy_portal(background, monkeypatch):
    monkeypatch.setattr("apps.notifications.background.YIELD_TO_REQUESTS_SECONDS", 0.2)
    background.gate.set()
    message = OutboxMessageFactory(invitation=InvitationFactory())
    requests_in_progress.started()
    try:
        with transaction.atomic():
            outbox_dispatch_on_commit(message_ids=[message.pk])
        wait_idle()
    finally:
        requests_in_progress.finished()

    assert (len(background.sent), statuses()) == (1, [("INVITATION", "SENT", 1)])
