from collections.abc import Sequence

from django.db import transaction


def outbox_dispatch_on_commit(*, message_ids: Sequence[int]) -> None:
    """Hand outbox rows to Celery once the surrounding transaction has committed (the one way we do it)."""
    ids = list(message_ids)
    if not ids:
        return

    def _enqueue() -> None:
        from apps.notifications.tasks import outbox_message_deliver

        for message_id in ids:
            outbox_message_deliver.delay(message_id=message_id)

    transaction.on_commit(_enqueue)
