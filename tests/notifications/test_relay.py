"""The relay: rows committed but never handed to Celery still go out, once."""

import datetime as dt
import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from apps.notifications.emails import outbox_message_id
from apps.notifications.models import OutboxMessage
from apps.notifications.services import RELAY_REQUEUE_AFTER, outbox_relay
from apps.notifications.tasks import outbox_relay_run
from portal.celery import app
from tests.factories import OutboxMessageFactory

pytestmark = pytest.mark.django_db


def committed_minutes_ago(minutes: int, **fields) -> OutboxMessage:
    """A row as a crash between commit and enqueue leaves it: PENDING, and never dispatched."""
    message = OutboxMessageFactory(**fields)
    OutboxMessage.objects.filter(pk=message.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=minutes)
    )
    return message


def test_relay_sends_a_row_that_was_never_enqueued(invitation, mailoutbox):
    message = committed_minutes_ago(5, invitation=invitation)

    report = outbox_relay()

    message.refresh_from_db()
    assert (report.enqueued, report.revived, report.abandoned, message.status, len(mailoutbox)) == (
        1,
        0,
        0,
        "SENT",
        1,
    )


def test_relay_leaves_rows_still_on_their_way_from_a_commit(invitation, mailoutbox):
    message = OutboxMessageFactory(invitation=invitation)

    report = outbox_relay()

    message.refresh_from_db()
    assert (report.enqueued, message.status, mailoutbox) == (0, "PENDING", [])


def test_relay_leaves_rows_waiting_out_their_backoff(invitation, mailoutbox):
    message = committed_minutes_ago(
        5, invitation=invitation, attempts=1, next_attempt_at=timezone.now() + dt.timedelta(minutes=2)
    )

    report = outbox_relay()

    message.refresh_from_db()
    assert (report.enqueued, message.status, mailoutbox) == (0, "PENDING", [])


def test_relay_retries_a_row_whose_backoff_is_over(invitation, mailoutbox):
    message = committed_minutes_ago(
        30, invitation=invitation, attempts=1, next_attempt_at=timezone.now() - dt.timedelta(minutes=2)
    )

    outbox_relay()

    message.refresh_from_db()
    assert (message.status, message.attempts, len(mailoutbox)) == ("SENT", 2, 1)


def test_relay_does_not_resend_sent_or_failed_rows(invitation, mailoutbox):
    committed_minutes_ago(5, invitation=invitation, status="SENT")
    committed_minutes_ago(5, invitation=invitation, status="FAILED")

    report = outbox_relay()

    assert (report.enqueued, mailoutbox) == (0, [])


def test_relay_sends_again_a_row_a_dead_worker_held_mid_send(invitation, mailoutbox):
    message = committed_minutes_ago(
        60,
        invitation=invitation,
        status="SENDING",
        attempts=1,
        claimed_at=timezone.now() - dt.timedelta(minutes=6),
    )

    report = outbox_relay()

    message.refresh_from_db()
    assert (report.enqueued, report.revived, report.abandoned) == (1, 1, 0)
    assert (message.status, message.attempts, len(mailoutbox)) == ("SENT", 2, 1)
    assert mailoutbox[0].extra_headers["Message-ID"] == outbox_message_id(message=message)


def test_interrupted_attempt_is_recorded_until_the_row_is_sent_again(invitation, monkeypatch, mailoutbox):
    message = committed_minutes_ago(
        60,
        invitation=invitation,
        status="SENDING",
        attempts=2,
        claimed_at=timezone.now() - dt.timedelta(hours=1),
    )
    monkeypatch.setattr("apps.notifications.tasks.outbox_message_deliver.delay", lambda **kwargs: None)

    outbox_relay()

    message.refresh_from_db()
    assert (message.status, message.attempts, mailoutbox) == ("PENDING", 2, [])
    assert message.last_error == (
        "Attempt 2 was interrupted (the worker stopped while sending); "
        "sending again with the same Message-ID."
    )


def test_relay_fails_an_interrupted_row_with_no_attempts_left(invitation, settings, mailoutbox):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    message = committed_minutes_ago(
        60,
        invitation=invitation,
        status="SENDING",
        attempts=3,
        claimed_at=timezone.now() - dt.timedelta(hours=1),
    )

    report = outbox_relay()

    message.refresh_from_db()
    assert (report.enqueued, report.revived, report.abandoned, message.status, mailoutbox) == (
        0,
        0,
        1,
        "FAILED",
        [],
    )
    assert message.last_error == (
        "Attempt 3 was interrupted (the worker stopped while sending) and no attempts are left; the email "
        "may or may not have gone out. Use “Resend” to send it again."
    )


def test_sending_row_is_taken_back_after_the_configured_time(invitation, settings, mailoutbox):
    settings.OUTBOX_SENDING_STALE_SECONDS = 120
    younger = committed_minutes_ago(
        60,
        invitation=invitation,
        status="SENDING",
        attempts=1,
        claimed_at=timezone.now() - dt.timedelta(seconds=100),
    )
    older = committed_minutes_ago(
        60,
        invitation=invitation,
        status="SENDING",
        attempts=1,
        claimed_at=timezone.now() - dt.timedelta(seconds=140),
    )

    report = outbox_relay()

    younger.refresh_from_db()
    older.refresh_from_db()
    assert (report.revived, younger.status, older.status, len(mailoutbox)) == (1, "SENDING", "SENT", 1)


def test_stale_limit_defaults_to_five_minutes_and_outlasts_the_send_time_limit():
    assert (settings.OUTBOX_SENDING_STALE_SECONDS, settings.OUTBOX_SEND_TIME_LIMIT_SECONDS) == (300, 240)


def test_relay_leaves_a_row_that_is_being_sent_right_now(invitation, mailoutbox):
    message = committed_minutes_ago(5, invitation=invitation, status="SENDING", claimed_at=timezone.now())

    report = outbox_relay()

    message.refresh_from_db()
    assert (report.abandoned, message.status, mailoutbox) == (0, "SENDING", [])


def test_row_handed_to_a_broker_is_not_handed_over_again_at_once(invitation, monkeypatch, mailoutbox):
    message = committed_minutes_ago(5, invitation=invitation)
    queued = []
    monkeypatch.setattr(
        "apps.notifications.tasks.outbox_message_deliver.delay", lambda **kwargs: queued.append(kwargs)
    )
    before = timezone.now()

    outbox_relay()
    second = outbox_relay()

    message.refresh_from_db()
    assert (queued, second.enqueued, message.status, mailoutbox) == (
        [{"message_id": message.pk}],
        0,
        "PENDING",
        [],
    )
    assert before + RELAY_REQUEUE_AFTER <= message.next_attempt_at <= timezone.now() + RELAY_REQUEUE_AFTER


def test_relay_command_sends_pending_rows_and_reports(invitation, mailoutbox):
    committed_minutes_ago(5, invitation=invitation)
    out = io.StringIO()

    call_command("relay_outbox", stdout=out)

    assert out.getvalue() == (
        "Relayed 1 pending message(s); 0 interrupted mid-send sent again; 0 failed with no attempts left.\n"
    )
    assert len(mailoutbox) == 1


def test_relay_task_reports_what_it_did(invitation, mailoutbox):
    committed_minutes_ago(5, invitation=invitation)

    assert outbox_relay_run.apply().get() == {"enqueued": 1, "revived": 0, "abandoned": 0}


def test_beat_runs_the_relay_every_minute():
    schedule = settings.CELERY_BEAT_SCHEDULE["outbox-relay"]

    assert (schedule["task"], schedule["schedule"]) == ("apps.notifications.tasks.outbox_relay_run", 60.0)
    assert schedule["task"] in app.tasks


def test_interrupted_row_is_sent_again_without_waiting_for_the_grace_period(invitation, settings, mailoutbox):
    settings.OUTBOX_SENDING_STALE_SECONDS = 30
    message = OutboxMessageFactory(
        invitation=invitation,
        status="SENDING",
        attempts=1,
        claimed_at=timezone.now() - dt.timedelta(seconds=40),
    )

    report = outbox_relay()

    message.refresh_from_db()
    assert (report.revived, report.enqueued, message.status, len(mailoutbox)) == (1, 1, "SENT", 1)
