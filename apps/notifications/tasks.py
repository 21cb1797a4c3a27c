"""Celery tasks: thin, take ids, safe to run any number of times (the row's state decides)."""

from celery import shared_task
from django.conf import settings

from apps.notifications.services import outbox_message_send, outbox_relay


def broker_may_hold(*, countdown: int) -> bool:
    """Whether a retry this far ahead may wait in the broker rather than in the row for the relay.

    The worker holds a waiting retry unacknowledged; past the transport's visibility timeout Redis would
    hand it to a second worker as well, so a long backoff is left to the relay instead.
    """
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    return countdown + settings.OUTBOX_SEND_TIME_LIMIT_SECONDS < visibility


# The hard time limit kills a delivery hung on the SMTP server before the relay would take its row back
# (OUTBOX_SENDING_STALE_SECONDS), so a resumed row never races a live attempt.
@shared_task(
    bind=True,
    max_retries=None,
    acks_late=True,
    ignore_result=True,
    time_limit=settings.OUTBOX_SEND_TIME_LIMIT_SECONDS,
)
def outbox_message_deliver(self, message_id: int) -> str:
    # The row's own `attempts` bounds the retries (it survives relays and redeliveries), so Celery's
    # counter is unlimited here.
    outcome = outbox_message_send(message_id=message_id)
    if (
        outcome.retry_in is not None
        and not self.request.is_eager
        and broker_may_hold(countdown=outcome.retry_in)
    ):
        raise self.retry(countdown=outcome.retry_in)
    # Otherwise the row waits in PENDING with its backoff for the relay; in-process (no broker) retrying
    # here would hold up the sender for every other message.
    return outcome.result.value


@shared_task(ignore_result=True)
def outbox_messages_fan_out(message_ids: list[int]) -> int:
    for message_id in message_ids:
        outbox_message_deliver.delay(message_id=message_id)
    return len(message_ids)


@shared_task(ignore_result=True)
def outbox_relay_run() -> dict[str, int]:
    report = outbox_relay()
    return {"enqueued": report.enqueued, "revived": report.revived, "abandoned": report.abandoned}
