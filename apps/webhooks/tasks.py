"""Celery tasks: thin, take ids, safe to run any number of times (the delivery row's state decides)."""

from celery import shared_task
from django.conf import settings

from apps.webhooks.services import webhook_delivery_send, webhook_relay


def _broker_may_hold(countdown: int) -> bool:
    # A retry waiting in Redis past the visibility timeout would be handed to a second worker as well;
    # longer waits stay in the row (next_attempt_at) for the relay.
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    return countdown + settings.WEBHOOK_TIMEOUT_SECONDS * 2 < visibility


@shared_task(
    bind=True, acks_late=True, ignore_result=True, time_limit=int(settings.WEBHOOK_TIMEOUT_SECONDS * 4)
)
def webhook_delivery_deliver(self, delivery_id: int) -> str:
    outcome = webhook_delivery_send(delivery_id=delivery_id)
    if outcome.retry_in is not None and not self.request.is_eager and _broker_may_hold(outcome.retry_in):
        webhook_delivery_deliver.apply_async(kwargs={"delivery_id": delivery_id}, countdown=outcome.retry_in)
    return outcome.result.value


@shared_task(ignore_result=True)
def webhook_relay_run() -> int:
    return webhook_relay()
