"""Celery tasks: thin, take ids, safe to run any number of times (the row's state decides)."""

from celery import shared_task

from apps.notifications.services import outbox_message_send, outbox_relay


@shared_task(bind=True, max_retries=None, acks_late=True, ignore_result=True)
def outbox_message_deliver(self, message_id: int) -> str:
    # The row's own `attempts` bounds the retries (it survives relays and redeliveries), so Celery's
    # counter is unlimited here.
    outcome = outbox_message_send(message_id=message_id)
    if outcome.retry_in is not None and not self.request.is_eager:
        raise self.retry(countdown=outcome.retry_in)
    # In-process (no broker) the row waits in PENDING with its backoff for the relay: retrying here
    # would block the request that committed the change.
    return outcome.result.value


@shared_task(ignore_result=True)
def outbox_messages_fan_out(message_ids: list[int]) -> int:
    for message_id in message_ids:
        outbox_message_deliver.delay(message_id=message_id)
    return len(message_ids)


@shared_task(ignore_result=True)
def outbox_relay_run() -> dict[str, int]:
    report = outbox_relay()
    return {"enqueued": report.enqueued, "abandoned": report.abandoned}
