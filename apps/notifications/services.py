import datetime as dt
import enum
import logging
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, F, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from apps.notifications.emails import outbox_message_compose
from apps.notifications.models import OutboxMessage
from apps.visits.models import Event, Invitation

logger = logging.getLogger(__name__)

# A row the relay has handed to the broker is not handed over again for this long, so a worker backlog
# older than the grace period does not fill the queue with duplicates (which would be harmless but idle).
RELAY_REQUEUE_AFTER = dt.timedelta(minutes=10)
RELAY_BATCH_SIZE = 500

# Rows an operator may send again from the admin: permanent failures, and rows skipped for want of an
# address (the contact may have one by now).
RESENDABLE_STATUSES = (OutboxMessage.Status.FAILED, OutboxMessage.Status.SKIPPED)


# A sync of 1,000 events owes some 10,000 messages; the request hands them to the broker in chunks and
# a worker fans each chunk out to one task per message (which keeps retries per message).
DISPATCH_CHUNK_SIZE = 500


def outbox_dispatch_on_commit(*, message_ids: Sequence[int]) -> None:
    """Hand outbox rows to Celery once the surrounding transaction has committed (the one way we do it).

    Without a broker (the demo) they go to this process's background sender instead, so the request
    that committed them answers at once and the emails leave after the response.
    """
    ids = list(message_ids)
    if not ids:
        return

    if settings.OUTBOX_DELIVERY_IN_BACKGROUND:
        from apps.notifications.background import outbox_background_submit

        transaction.on_commit(lambda: outbox_background_submit(message_ids=ids), robust=True)
        return

    def _enqueue() -> None:
        from apps.notifications.tasks import outbox_messages_fan_out

        for start in range(0, len(ids), DISPATCH_CHUNK_SIZE):
            try:
                outbox_messages_fan_out.delay(message_ids=ids[start : start + DISPATCH_CHUNK_SIZE])
            except Exception:
                # The change is committed and the rows are PENDING: failing the request now would
                # answer 5xx for data that was saved. The relay hands these rows over later, so stop
                # here rather than wait on a dead broker once per remaining chunk.
                logger.exception(
                    "Could not hand %s outbox message(s) to the broker; the relay will hand them over later.",
                    len(ids) - start,
                )
                return

    # robust: whatever else goes wrong after commit is logged by Django, never raised into the request.
    transaction.on_commit(_enqueue, robust=True)


class DeliveryResult(enum.StrEnum):
    SENT = "sent"
    SKIPPED = "skipped"
    # Someone else holds or has finished the row (a duplicate task run), or the row no longer exists.
    NOT_CLAIMED = "not_claimed"
    RETRY = "retry"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class DeliveryOutcome:
    result: DeliveryResult
    retry_in: int | None = None  # seconds, for RETRY


def outbox_retry_backoff(*, attempt: int) -> int:
    """Seconds to wait after failed attempt number `attempt` (1-based): doubling, capped."""
    delay = settings.OUTBOX_RETRY_BACKOFF_SECONDS * 2 ** (attempt - 1)
    return min(delay, settings.OUTBOX_RETRY_BACKOFF_MAX_SECONDS)


def smtp_error_is_transient(*, error: BaseException) -> bool:
    """Whether trying again later may succeed: network trouble and 4xx answers, not 5xx refusals."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, smtplib.SMTPException):
        # SMTPNotSupportedError and friends: the server will not change its mind.
        return False
    # Refused or reset connections, timeouts, DNS failures (smtplib's exceptions are OSErrors too,
    # hence the checks above come first).
    return isinstance(error, OSError)


def outbox_message_skip_reason(*, message: OutboxMessage) -> str:
    """Why this row must not be sent (empty when it should be)."""
    if message.kind in (OutboxMessage.Kind.HOST_SUMMARY, OutboxMessage.Kind.ARRIVAL):
        return "" if message.employee.email else "The host has no email address."
    invitation = message.invitation
    if not invitation.contact.email:
        return "The guest has no email address."
    no_longer_invited = (
        invitation.status == Invitation.Status.CANCELLED or invitation.event.status == Event.Status.CANCELLED
    )
    # Rows are delivered independently, so a late one can describe a state that no longer holds;
    # sending it would contradict the message the guest got (or is about to get) for the newer change.
    if message.kind != OutboxMessage.Kind.CANCELLATION and no_longer_invited:
        return "Superseded: the guest is no longer invited (a cancellation was recorded)."
    if message.kind == OutboxMessage.Kind.CANCELLATION and not no_longer_invited:
        return "Superseded: the guest was invited again."
    return ""


def _outbox_message_claim(*, message_id: int) -> dt.datetime | None:
    """Atomically move PENDING → SENDING; exactly one of any number of concurrent callers wins.

    Returns the claim time, which identifies this attempt: only the attempt holding it may record the
    outcome, so an attempt the relay gave up on (see `outbox_relay`) cannot overwrite a newer one.
    """
    now = timezone.now()
    claimed = OutboxMessage.objects.filter(pk=message_id, status=OutboxMessage.Status.PENDING).update(
        status=OutboxMessage.Status.SENDING,
        attempts=F("attempts") + 1,
        claimed_at=now,
        next_attempt_at=None,
        updated_at=now,
    )
    return now if claimed == 1 else None


def _outbox_message_finish(
    *, message_id: int, claimed_at: dt.datetime, status: str, last_error: str = "", **fields
) -> None:
    now = timezone.now()
    finished = OutboxMessage.objects.filter(
        pk=message_id, status=OutboxMessage.Status.SENDING, claimed_at=claimed_at
    ).update(status=status, last_error=last_error, updated_at=now, **fields)
    if not finished:
        logger.warning(
            "Outbox message %s: attempt claimed at %s ended (%s) after the relay had taken the row back.",
            message_id,
            claimed_at.isoformat(),
            status,
        )


def outbox_message_send(*, message_id: int) -> DeliveryOutcome:
    """Send the email an outbox row owes, once however often this is called for the row.

    Once per attempt: a worker that dies mid-send leaves the row in SENDING, and `outbox_relay` sends it
    again later with the same Message-ID (see the README's delivery promise).
    """
    claimed_at = _outbox_message_claim(message_id=message_id)
    if claimed_at is None:
        return DeliveryOutcome(DeliveryResult.NOT_CLAIMED)
    message = OutboxMessage.objects.select_related(
        "event__location",
        "event__entrance",
        "event__host",
        "event__integration",
        "invitation__contact",
        "invitation__event__location",
        "invitation__event__entrance",
        "invitation__event__host",
        "employee",
    ).get(pk=message_id)

    try:
        skip_reason = outbox_message_skip_reason(message=message)
        if skip_reason:
            _outbox_message_finish(
                message_id=message_id,
                claimed_at=claimed_at,
                status=OutboxMessage.Status.SKIPPED,
                last_error=skip_reason,
            )
            logger.info("Outbox message %s skipped: %s", message_id, skip_reason)
            return DeliveryOutcome(DeliveryResult.SKIPPED)
        mail = outbox_message_compose(message=message)
    except Exception as exc:
        # A rendering bug will not fix itself by retrying; the admin shows it and can resend after a fix.
        logger.exception("Outbox message %s could not be composed", message_id)
        _outbox_message_finish(
            message_id=message_id,
            claimed_at=claimed_at,
            status=OutboxMessage.Status.FAILED,
            last_error=f"Could not compose the email: {type(exc).__name__}: {exc}",
        )
        return DeliveryOutcome(DeliveryResult.FAILED)

    try:
        mail.send()
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        if smtp_error_is_transient(error=exc) and message.attempts < settings.OUTBOX_MAX_ATTEMPTS:
            retry_in = outbox_retry_backoff(attempt=message.attempts)
            _outbox_message_finish(
                message_id=message_id,
                claimed_at=claimed_at,
                status=OutboxMessage.Status.PENDING,
                last_error=f"Attempt {message.attempts} failed, retrying in {retry_in} s: {error}",
                next_attempt_at=timezone.now() + dt.timedelta(seconds=retry_in),
            )
            logger.warning(
                "Outbox message %s: transient failure, retry in %s s: %s", message_id, retry_in, error
            )
            return DeliveryOutcome(DeliveryResult.RETRY, retry_in=retry_in)
        _outbox_message_finish(
            message_id=message_id,
            claimed_at=claimed_at,
            status=OutboxMessage.Status.FAILED,
            last_error=f"Attempt {message.attempts} failed permanently: {error}",
        )
        logger.error("Outbox message %s failed: %s", message_id, error)
        return DeliveryOutcome(DeliveryResult.FAILED)

    _outbox_message_finish(
        message_id=message_id, claimed_at=claimed_at, status=OutboxMessage.Status.SENT, sent_at=timezone.now()
    )
    return DeliveryOutcome(DeliveryResult.SENT)


def outbox_message_resend(*, message_ids: Sequence[int]) -> int:
    """Queue failed or skipped rows for a fresh round of attempts; returns how many were queued."""
    with transaction.atomic():
        ids = list(
            OutboxMessage.objects.select_for_update()
            .filter(pk__in=list(message_ids), status__in=RESENDABLE_STATUSES)
            .values_list("pk", flat=True)
        )
        OutboxMessage.objects.filter(pk__in=ids).update(
            status=OutboxMessage.Status.PENDING,
            attempts=0,
            last_error="",
            claimed_at=None,
            next_attempt_at=None,
            updated_at=timezone.now(),
        )
        outbox_dispatch_on_commit(message_ids=ids)
    return len(ids)


@dataclass(frozen=True, slots=True)
class RelayReport:
    enqueued: int
    # Rows a dead worker left in SENDING: sent again, or failed once they had no attempts left.
    revived: int
    abandoned: int


def _attempt_note(text: str) -> Concat:
    return Concat(Value("Attempt "), Cast("attempts", CharField()), Value(text), output_field=CharField())


def outbox_relay(*, batch_size: int = RELAY_BATCH_SIZE) -> RelayReport:
    """Hand over committed rows that never reached Celery, and send again rows a dead worker held.

    A row left PENDING past the grace period (or past its backoff) was committed but never enqueued, or
    its task was lost: it is enqueued again; the claim in `outbox_message_send` keeps that from ever
    sending twice. A row stuck in SENDING belonged to a worker that died mid-send (a live attempt is
    killed by the task's time limit well before that): the email may or may not have left, and a guest
    without their invitation is worse off than one with two identical copies, so it goes back to
    PENDING and is sent again with the same Message-ID, as an attempt of its own. With no attempts left
    it fails, for an operator to resend.
    """
    now = timezone.now()
    stale = OutboxMessage.objects.filter(
        status=OutboxMessage.Status.SENDING,
        claimed_at__lt=now - dt.timedelta(seconds=settings.OUTBOX_SENDING_STALE_SECONDS),
    )
    abandoned = stale.filter(attempts__gte=settings.OUTBOX_MAX_ATTEMPTS).update(
        status=OutboxMessage.Status.FAILED,
        last_error=_attempt_note(
            " was interrupted (the worker stopped while sending) and no attempts are left; the email may "
            "or may not have gone out. Use “Resend” to send it again."
        ),
        updated_at=now,
    )
    revived = stale.filter(attempts__lt=settings.OUTBOX_MAX_ATTEMPTS).update(
        status=OutboxMessage.Status.PENDING,
        last_error=_attempt_note(
            " was interrupted (the worker stopped while sending); sending again with the same Message-ID."
        ),
        next_attempt_at=None,
        updated_at=now,
    )

    ready = now - dt.timedelta(seconds=settings.OUTBOX_RELAY_GRACE_SECONDS)
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=ready)
    ids = list(
        # Rows with attempts behind them are not on their way from a commit: no grace for them.
        OutboxMessage.objects.filter(
            due, Q(created_at__lte=ready) | Q(attempts__gt=0), status=OutboxMessage.Status.PENDING
        )
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:batch_size]
    )
    from apps.notifications.tasks import outbox_message_deliver

    handed_over: list[int] = []
    try:
        for message_id in ids:
            outbox_message_deliver.delay(message_id=message_id)
            handed_over.append(message_id)
    finally:
        # Rows that ran in-process (no broker) are no longer PENDING; only queued ones get the pause.
        OutboxMessage.objects.filter(due, pk__in=handed_over, status=OutboxMessage.Status.PENDING).update(
            next_attempt_at=now + RELAY_REQUEUE_AFTER
        )
    if ids or revived or abandoned:
        logger.info(
            "Outbox relay: %s enqueued, %s interrupted mid-send sent again, %s failed with no attempts left",
            len(ids),
            revived,
            abandoned,
        )
    return RelayReport(enqueued=len(ids), revived=revived, abandoned=abandoned)
