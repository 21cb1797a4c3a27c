"""`manage.py resend_outbox --failed [--since …]`: the admin's resend, from the command line."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from apps.notifications.models import OutboxMessage
from tests.factories import OutboxMessageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def resend_outbox(django_capture_on_commit_callbacks):
    def run(*args: str) -> str:
        out = io.StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("resend_outbox", *args, stdout=out)
        return out.getvalue()

    return run


def failed(invitation, *, failed_at: dt.datetime | None = None) -> OutboxMessage:
    message = OutboxMessageFactory(invitation=invitation, status="FAILED", attempts=6, last_error="550 gone")
    if failed_at is not None:
        OutboxMessage.objects.filter(pk=message.pk).update(updated_at=failed_at)
    return message


def test_failed_messages_are_sent_again_with_fresh_attempts(resend_outbox, invitation, mailoutbox):
    message = failed(invitation)

    output = resend_outbox("--failed")

    message.refresh_from_db()
    assert output == "Queued 1 failed message(s) for sending again.\n"
    assert (message.status, message.attempts, message.last_error, len(mailoutbox)) == ("SENT", 1, "", 1)


def test_running_it_twice_sends_once(resend_outbox, invitation, mailoutbox):
    failed(invitation)

    resend_outbox("--failed")
    second = resend_outbox("--failed")

    assert (second, len(mailoutbox)) == ("Queued 0 failed message(s) for sending again.\n", 1)


def test_only_failed_messages_are_resent(resend_outbox, invitation, mailoutbox):
    for status in ("SENT", "SKIPPED", "PENDING", "SENDING"):
        OutboxMessageFactory(invitation=invitation, status=status)

    output = resend_outbox("--failed")

    assert (output, mailoutbox) == ("Queued 0 failed message(s) for sending again.\n", [])
    assert sorted(OutboxMessage.objects.values_list("status", flat=True)) == [
        "PENDING",
        "SENDING",
        "SENT",
        "SKIPPED",
    ]


def test_since_limits_to_messages_that_failed_from_then_on(resend_outbox, invitation, mailoutbox):
    older = failed(invitation, failed_at=dt.datetime(2027, 2, 28, 23, 59, tzinfo=dt.UTC))
    newer = failed(invitation, failed_at=dt.datetime(2027, 3, 1, 0, 0, tzinfo=dt.UTC))

    output = resend_outbox("--failed", "--since", "2027-03-01")

    older.refresh_from_db()
    newer.refresh_from_db()
    assert (output, older.status, newer.status, len(mailoutbox)) == (
        "Queued 1 failed message(s) for sending again.\n",
        "FAILED",
        "SENT",
        1,
    )


def test_since_takes_a_time_with_an_offset(resend_outbox, invitation, mailoutbox):
    failed(invitation, failed_at=dt.datetime(2027, 3, 1, 7, 30, tzinfo=dt.UTC))

    output = resend_outbox("--failed", "--since", "2027-03-01T09:00+01:00")

    assert (output, mailoutbox) == ("Queued 0 failed message(s) for sending again.\n", [])


def test_unreadable_since_is_refused_and_nothing_is_sent(resend_outbox, invitation, mailoutbox):
    message = failed(invitation)

    with pytest.raises(CommandError, match="'yesterday' is not an ISO 8601 date or date and time"):
        resend_outbox("--failed", "--since", "yesterday")

    message.refresh_from_db()
    assert (message.status, mailoutbox) == ("FAILED", [])


def test_the_failed_flag_is_required(resend_outbox, invitation, mailoutbox):
    failed(invitation)

    with pytest.raises(CommandError, match="the following arguments are required: --failed"):
        resend_outbox()

    assert mailoutbox == []


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_the_command_sends_before_it_exits(resend_outbox, invitation, settings, mailoutbox):
    settings.OUTBOX_DELIVERY_IN_BACKGROUND = True
    message = failed(invitation)
    before = timezone.now()

    resend_outbox("--failed")

    message.refresh_from_db()
    assert (message.status, len(mailoutbox)) == ("SENT", 1)
    assert message.sent_at >= before
