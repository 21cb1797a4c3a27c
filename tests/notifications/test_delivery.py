"""Delivering outbox rows: once, after commit, with retries for transient failures only."""

import datetime as dt
import hashlib
import smtplib

import pytest
from celery.exceptions import Retry
from django.db import transaction
from django.utils import timezone

from apps.notifications import services
from apps.notifications.models import OutboxMessage
from apps.notifications.services import outbox_dispatch_on_commit, outbox_message_resend, outbox_retry_backoff
from apps.notifications.tasks import broker_may_hold, outbox_message_deliver
from apps.visits.models import Event, Invitation
from tests.factories import ContactFactory, InvitationFactory, OutboxMessageFactory
from tests.notifications.conftest import mime

pytestmark = pytest.mark.django_db


def test_delivered_message_is_marked_sent(invitation, mailoutbox):
    message = OutboxMessageFactory(invitation=invitation)

    outbox_message_deliver.delay(message_id=message.pk)

    message.refresh_from_db()
    assert (len(mailoutbox), message.status, message.attempts, message.last_error) == (1, "SENT", 1, "")
    assert message.sent_at is not None


def test_task_run_twice_sends_once(invitation, mailoutbox):
    message = OutboxMessageFactory(invitation=invitation)

    outbox_message_deliver.delay(message_id=message.pk)
    outbox_message_deliver.delay(message_id=message.pk)

    message.refresh_from_db()
    assert (len(mailoutbox), message.status, message.attempts) == (1, "SENT", 1)


def test_message_claimed_by_another_run_is_not_sent(invitation, mailoutbox):
    message = OutboxMessageFactory(invitation=invitation, status="SENDING", attempts=1)

    result = outbox_message_deliver.apply(kwargs={"message_id": message.pk}).get()

    message.refresh_from_db()
    assert (result, mailoutbox, message.status, message.attempts) == ("not_claimed", [], "SENDING", 1)


def test_deleted_message_sends_nothing(mailoutbox):
    result = outbox_message_deliver.apply(kwargs={"message_id": 987654}).get()

    assert (result, mailoutbox) == ("not_claimed", [])


def test_nothing_is_sent_before_the_transaction_commits(
    invitation, mailoutbox, django_capture_on_commit_callbacks
):
    message = OutboxMessageFactory(invitation=invitation)

    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        outbox_dispatch_on_commit(message_ids=[message.pk])

    assert (len(callbacks), mailoutbox) == (1, [])
    callbacks[0]()
    assert [sent.to for sent in mailoutbox] == [["Grace Hopper <grace@example.org>"]]


def test_rolled_back_transaction_sends_nothing(invitation, mailoutbox, django_capture_on_commit_callbacks):
    message = OutboxMessageFactory(invitation=invitation)

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        outbox_dispatch_on_commit(message_ids=[message.pk])
        raise RuntimeError("the change failed")

    message.refresh_from_db()
    assert (callbacks, mailoutbox, message.status) == ([], [], "PENDING")


def test_transient_failure_waits_for_a_retry_with_backoff(invitation, failing_backend, mailoutbox):
    failing_backend.error = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    message = OutboxMessageFactory(invitation=invitation)
    before = timezone.now()

    outbox_message_deliver.delay(message_id=message.pk)

    message.refresh_from_db()
    assert (message.status, message.attempts, message.sent_at) == ("PENDING", 1, None)
    assert message.last_error == (
        "Attempt 1 failed, retrying in 60 s: SMTPServerDisconnected: Connection unexpectedly closed"
    )
    assert (
        before + dt.timedelta(seconds=60)
        <= message.next_attempt_at
        <= timezone.now() + dt.timedelta(seconds=60)
    )
    assert (failing_backend.calls, mailoutbox) == (1, [])


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(111, "Connection refused"),
        TimeoutError("timed out"),
        smtplib.SMTPDataError(451, b"Temporary local problem"),
        smtplib.SMTPSenderRefused(421, b"Service not available", "visits@localhost"),
        smtplib.SMTPRecipientsRefused({"grace@example.org": (450, b"Mailbox busy")}),
    ],
)
def test_connection_errors_and_4xx_answers_are_retried(invitation, failing_backend, error):
    failing_backend.error = error
    message = OutboxMessageFactory(invitation=invitation)

    outbox_message_deliver.delay(message_id=message.pk)

    message.refresh_from_db()
    assert (message.status, message.attempts) == ("PENDING", 1)


@pytest.mark.parametrize(
    "error",
    [
        smtplib.SMTPRecipientsRefused({"grace@example.org": (550, b"No such user")}),
        smtplib.SMTPDataError(554, b"Message rejected as spam"),
        smtplib.SMTPAuthenticationError(535, b"Authentication failed"),
        smtplib.SMTPNotSupportedError("SMTPUTF8 not supported"),
    ],
)
def test_5xx_answers_fail_permanently_without_retry(invitation, failing_backend, error, mailoutbox):
    failing_backend.error = error
    message = OutboxMessageFactory(invitation=invitation)

    outbox_message_deliver.delay(message_id=message.pk)

    message.refresh_from_db()
    assert (message.status, message.attempts, message.next_attempt_at, mailoutbox) == ("FAILED", 1, None, [])
    assert message.last_error.startswith("Attempt 1 failed permanently: ")


def test_recipient_refusal_names_the_refused_address(invitation, failing_backend):
    failing_backend.error = smtplib.SMTPRecipientsRefused({"grace@example.org": (550, b"No such user")})
    message = OutboxMessageFactory(invitation=invitation)

    outbox_message_deliver.delay(message_id=message.pk)

    message.refresh_from_db()
    assert message.last_error == (
        "Attempt 1 failed permanently: SMTPRecipientsRefused: {'grace@example.org': (550, b'No such user')}"
    )


def test_transient_failure_on_the_last_attempt_fails_the_message(invitation, failing_backend, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    failing_backend.error = smtplib.SMTPServerDisconnected("gone")
    message = OutboxMessageFactory(invitation=invitation, attempts=2)

    outbox_message_deliver.delay(message_id=message.pk)

    message.refresh_from_db()
    assert (message.status, message.attempts, message.next_attempt_at) == ("FAILED", 3, None)
    assert message.last_error == "Attempt 3 failed permanently: SMTPServerDisconnected: gone"


def test_backoff_doubles_up_to_the_maximum(settings):
    settings.OUTBOX_RETRY_BACKOFF_SECONDS = 60
    settings.OUTBOX_RETRY_BACKOFF_MAX_SECONDS = 600

    assert [outbox_retry_backoff(attempt=n) for n in range(1, 7)] == [60, 120, 240, 480, 600, 600]


def test_worker_run_asks_celery_to_retry_after_the_backoff(invitation, failing_backend, monkeypatch):
    failing_backend.error = smtplib.SMTPServerDisconnected("gone")
    message = OutboxMessageFactory(invitation=invitation, attempts=1)
    requested = []

    def fake_retry(*, countdown):
        requested.append(countdown)
        return Retry(when=countdown)

    monkeypatch.setattr(outbox_message_deliver, "retry", fake_retry)
    outbox_message_deliver.push_request(is_eager=False, retries=0)
    try:
        with pytest.raises(Retry):
            outbox_message_deliver.run(message_id=message.pk)
    finally:
        outbox_message_deliver.pop_request()

    message.refresh_from_db()
    assert (requested, message.status, message.attempts) == ([120], "PENDING", 2)


def test_guest_without_email_is_skipped(event, mailoutbox):
    invitation = InvitationFactory(event=event, contact=ContactFactory(email=""))
    message = OutboxMessageFactory(invitation=invitation)

    outbox_message_deliver.delay(message_id=message.pk)

    message.refresh_from_db()
    assert (message.status, message.last_error, mailoutbox) == (
        "SKIPPED",
        "The guest has no email address.",
        [],
    )


def test_invitation_for_a_guest_removed_since_is_not_sent(invitation, mailoutbox):
    message = OutboxMessageFactory(invitation=invitation)
    Invitation.objects.filter(pk=invitation.pk).update(
        status="CANCELLED", cancel_reason="REMOVED", cancelled_at=timezone.now()
    )

    outbox_message_deliver.delay(message_id=message.pk)

    message.refresh_from_db()
    assert (message.status, mailoutbox) == ("SKIPPED", [])
    assert message.last_error == "Superseded: the guest is no longer invited (a cancellation was recorded)."


def test_update_for_an_event_cancelled_since_is_not_sent(invitation, mailoutbox):
    message = OutboxMessageFactory(invitation=invitation, kind=OutboxMessage.Kind.UPDATE)
    Event.objects.filter(pk=invitation.event_id).update(status="CANCELLED", cancelled_at=timezone.now())

    outbox_message_deliver.delay(message_id=message.pk)

    message.refresh_from_db()
    assert (message.status, mailoutbox) == ("SKIPPED", [])


def test_cancellation_for_a_guest_invited_again_since_is_not_sent(invitation, mailoutbox):
    message = OutboxMessageFactory(invitation=invitation, kind=OutboxMessage.Kind.CANCELLATION)

    outbox_message_deliver.delay(message_id=message.pk)

    message.refresh_from_db()
    assert (message.status, message.last_error, mailoutbox) == (
        "SKIPPED",
        "Superseded: the guest was invited again.",
        [],
    )


def test_email_that_cannot_be_composed_fails_without_sending(invitation, mailoutbox, monkeypatch):
    def broken(**kwargs):
        raise KeyError("missing template variable")

    monkeypatch.setattr("apps.notifications.services.outbox_message_compose", broken)
    message = OutboxMessageFactory(invitation=invitation)

    outbox_message_deliver.delay(message_id=message.pk)

    message.refresh_from_db()
    assert (message.status, mailoutbox) == ("FAILED", [])
    assert message.last_error == "Could not compose the email: KeyError: 'missing template variable'"


def test_every_attempt_of_a_row_carries_the_same_message_id(
    invitation, failing_backend, settings, mailoutbox
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    message = OutboxMessageFactory(invitation=invitation)
    outbox_message_deliver.delay(message_id=message.pk)
    OutboxMessage.objects.filter(pk=message.pk).update(status="FAILED")
    outbox_message_resend(message_ids=[message.pk])
    outbox_message_deliver.delay(message_id=message.pk)

    first, second = (mime(sent)["Message-ID"] for sent in mailoutbox)
    digest = hashlib.sha256(f"{message.pk}:{message.created_at.isoformat()}".encode()).hexdigest()[:16]
    assert first == second == f"<outbox-{message.pk}.{digest}@127.0.0.1>"


def test_rows_get_different_message_ids(invitation, mailoutbox):
    messages = [OutboxMessageFactory(invitation=invitation) for _ in range(2)]

    for message in messages:
        outbox_message_deliver.delay(message_id=message.pk)

    assert len({mime(sent)["Message-ID"] for sent in mailoutbox}) == 2


def test_redelivered_task_for_a_sent_row_does_nothing(invitation, mailoutbox):
    message = OutboxMessageFactory(invitation=invitation, status="SENT", attempts=1)

    result = outbox_message_deliver.apply(kwargs={"message_id": message.pk}).get()

    message.refresh_from_db()
    assert (result, mailoutbox, message.status, message.attempts) == ("not_claimed", [], "SENT", 1)


def test_attempt_the_relay_took_back_cannot_overwrite_the_newer_one(invitation, monkeypatch, mailoutbox):
    message = OutboxMessageFactory(invitation=invitation)
    real_compose = services.outbox_message_compose

    def compose_while_the_relay_takes_the_row_back(**kwargs):
        # As if this attempt hung past the stale limit: the relay took the row back and a new attempt
        # claimed it before this one finished.
        OutboxMessage.objects.filter(pk=message.pk).update(
            claimed_at=timezone.now() + dt.timedelta(seconds=1), attempts=2
        )
        return real_compose(**kwargs)

    monkeypatch.setattr(services, "outbox_message_compose", compose_while_the_relay_takes_the_row_back)

    outbox_message_deliver.delay(message_id=message.pk)

    message.refresh_from_db()
    assert (len(mailoutbox), message.status, message.attempts, message.sent_at) == (1, "SENDING", 2, None)


def test_long_backoff_waits_in_the_row_not_in_the_broker(invitation, failing_backend, monkeypatch):
    failing_backend.error = smtplib.SMTPServerDisconnected("gone")
    message = OutboxMessageFactory(invitation=invitation, attempts=3)  # 4th attempt: 480 s backoff
    requested = []
    monkeypatch.setattr(outbox_message_deliver, "retry", lambda *, countdown: requested.append(countdown))
    outbox_message_deliver.push_request(is_eager=False, retries=0)
    try:
        result = outbox_message_deliver.run(message_id=message.pk)
    finally:
        outbox_message_deliver.pop_request()

    message.refresh_from_db()
    assert (result, requested, message.status, message.attempts) == ("retry", [], "PENDING", 4)


def test_retries_held_by_the_broker_end_before_its_visibility_timeout(settings):
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]

    assert visibility == 600
    assert [broker_may_hold(countdown=outbox_retry_backoff(attempt=n)) for n in range(1, 7)] == [
        True,
        True,
        True,
        False,
        False,
        False,
    ]
