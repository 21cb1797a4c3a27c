"""Without a broker a thread of the web process delivers: a slow receiver never slows the check-in."""

import datetime as dt
import time

import pytest
from django.utils import timezone

from apps.webhooks.models import WebhookDelivery
from apps.webhooks.services import webhook_endpoint_create
from tests.factories import IntegrationFactory, LocationFactory
from tests.integrations.checkins_helpers import arrive, guest_of
from tests.webhooks.receiver import Answer, Receiver


@pytest.mark.django_db(transaction=True)
def test_a_slow_receiver_does_not_slow_the_check_in(settings):
    settings.WEBHOOK_DELIVERY_IN_BACKGROUND = True
    settings.WEBHOOK_TIMEOUT_SECONDS = 5
    integration = IntegrationFactory(name="Access control")
    guest = guest_of(
        location=LocationFactory(timezone="Europe/Berlin"),
        integration=integration,
        starts_at=timezone.now() - dt.timedelta(hours=1),
    )
    with Receiver([Answer(200, delay=2)]) as receiver:
        webhook_endpoint_create(integration=integration, url=receiver.url, types=["checkin.created"])
        started = time.monotonic()
        arrive(guest, timezone.now())
        checked_in_after = time.monotonic() - started
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and WebhookDelivery.objects.get().status != "SUCCEEDED":
            time.sleep(0.1)

    assert checked_in_after < 1
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.SUCCEEDED
    assert len(receiver.received) == 1


@pytest.mark.django_db(transaction=True)
def test_a_delivery_an_earlier_process_left_behind_goes_out_when_the_next_process_starts(settings):
    from apps.notifications.background import outbox_background_sender, outbox_background_stop

    settings.OUTBOX_DELIVERY_IN_BACKGROUND = True
    with Receiver([Answer(200)]) as receiver:
        endpoint = webhook_endpoint_create(
            integration=IntegrationFactory(), url=receiver.url, types=["checkin.created"]
        ).endpoint
        left_behind = WebhookDelivery.objects.create(
            endpoint=endpoint,
            message_key="checkin.created:1",
            webhook_id="msg_left_behind",
            event_type="checkin.created",
            body='{"type": "checkin.created", "data": {}}',
        )
        WebhookDelivery.objects.filter(pk=left_behind.pk).update(
            created_at=timezone.now() - dt.timedelta(minutes=5)
        )
        try:
            outbox_background_sender()  # as the first request of the next process starts it
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and WebhookDelivery.objects.get().status != "SUCCEEDED":
                time.sleep(0.1)
        finally:
            outbox_background_stop(timeout=10)

    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.SUCCEEDED
    assert [request.headers["webhook-id"] for request in receiver.received] == ["msg_left_behind"]
