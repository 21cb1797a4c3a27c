"""Delivery without a broker (`make run`, a single-box demo): a thread of the web process posts the
deliveries after the response, and waits out each retry's delay itself. Every row it names is committed
as PENDING first, so a process that stops leaves them for the relay (`celery beat`) of a later setup."""

import logging
import threading
from collections.abc import Sequence

from django.db import connections

logger = logging.getLogger(__name__)


def _deliver(delivery_ids: list[int]) -> None:
    from apps.webhooks.services import webhook_delivery_send

    try:
        for delivery_id in delivery_ids:
            try:
                outcome = webhook_delivery_send(delivery_id=delivery_id)
            except Exception:
                logger.exception("Webhook delivery %s raised", delivery_id)
                continue
            if outcome.retry_in is not None:
                timer = threading.Timer(outcome.retry_in, _deliver, args=([delivery_id],))
                timer.daemon = True
                timer.start()
    finally:
        connections.close_all()


def webhook_background_submit(*, delivery_ids: Sequence[int]) -> None:
    """Post these committed deliveries on a thread of their own; returns at once."""
    threading.Thread(target=_deliver, args=(list(delivery_ids),), name="webhook-sender", daemon=True).start()
