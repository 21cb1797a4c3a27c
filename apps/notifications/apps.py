from django.apps import AppConfig
from django.conf import settings
from django.core.signals import request_finished, request_started


def _background_sender_start(**kwargs) -> None:
    # Started with the first request rather than at import, so management commands and test runs get no
    # thread; from then on its relay also sends what an earlier process left behind.
    if settings.OUTBOX_DELIVERY_IN_BACKGROUND:
        from apps.notifications.background import outbox_background_sender

        outbox_background_sender()


class NotificationsConfig(AppConfig):
    name = "apps.notifications"

    def ready(self) -> None:
        from apps.notifications.background import requests_in_progress

        request_started.connect(_background_sender_start, dispatch_uid="outbox-background-sender")
        # The background sender gives way to requests being served (see background.py).
        request_started.connect(requests_in_progress.started, dispatch_uid="outbox-requests-started")
        request_finished.connect(requests_in_progress.finished, dispatch_uid="outbox-requests-finished")
