"""Webhook delivery through a real `celery -A portal worker` on Redis: the retry waits in the broker."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.webhooks.models import WebhookDelivery
from apps.webhooks.services import webhook_endpoint_create
from tests.factories import IntegrationFactory, LocationFactory
from tests.integrations.checkins_helpers import arrive, guest_of
from tests.notifications.test_worker import start_worker  # noqa: F401 - the fixture
from tests.webhooks.receiver import Answer, Receiver

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_worker_posts_after_commit_and_retries_a_503_with_the_same_webhook_id(start_worker):  # noqa: F811
    worker = start_worker(WEBHOOK_ALLOW_PRIVATE_URLS="true", WEBHOOK_RETRY_DELAYS_SECONDS="1,1")
    integration = IntegrationFactory(name="Access control")
    guest = guest_of(
        location=LocationFactory(timezone="Europe/Berlin"),
        integration=integration,
        starts_at=timezone.now() - dt.timedelta(hours=1),
    )
    with Receiver([Answer(503)]) as receiver:
        webhook_endpoint_create(integration=integration, url=receiver.url, types=["checkin.created"])
        arrive(guest, timezone.now())
        worker.wait_for(
            lambda: WebhookDelivery.objects.get().status == WebhookDelivery.Status.SUCCEEDED,
            "the worker to deliver the webhook",
        )

    delivery = WebhookDelivery.objects.get()
    assert list(delivery.attempts_made.order_by("id").values_list("status_code", flat=True)) == [503, 200]
    assert [request.headers["webhook-id"] for request in receiver.received] == [delivery.webhook_id] * 2
