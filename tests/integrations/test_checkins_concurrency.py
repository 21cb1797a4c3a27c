"""Two API clients and a desk checking the same guest in at once: one arrival, one email, one webhook."""

import datetime as dt
import json

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from apps.notifications.models import OutboxMessage
from apps.visits.checkins import invitation_check_in
from apps.visits.models import AuditEntry, CheckIn
from apps.webhooks.models import WebhookDelivery
from apps.webhooks.services import webhook_endpoint_create
from tests.factories import LocationFactory
from tests.integrations.checkins_helpers import CHECK_INS_URL, desk_actor, guest_of
from tests.integrations.conftest import ApiClient
from tests.threads import threads_run
from tests.webhooks.receiver import Receiver


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_check_ins_record_one_arrival(integration, settings):
    assert connection.vendor == "postgresql"
    settings.WEBHOOK_DELIVERY_IN_BACKGROUND = False
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    guest = guest_of(
        location=LocationFactory(timezone="Europe/Berlin"),
        integration=integration,
        starts_at=timezone.now() - dt.timedelta(hours=1),
    )
    statuses: list[int] = []
    body = json.dumps({"invitation": {"id": guest.pk}})

    def api(barrier):
        client = ApiClient(integration).client
        barrier.wait()
        statuses.append(client.post(CHECK_INS_URL, body, content_type="application/json").status_code)

    def desk(barrier):
        barrier.wait()
        statuses.append(
            201 if invitation_check_in(actor=desk_actor(), invitation_id=guest.pk).changed else 200
        )

    with Receiver() as receiver:
        webhook_endpoint_create(integration=integration, url=receiver.url, types=["checkin.created"])
        desk_actor()  # created before the race, not by each desk
        assert threads_run(workers=[api, api, desk]) == []

    assert sorted(statuses) == [200, 200, 201]
    assert CheckIn.objects.count() == 1
    assert AuditEntry.objects.filter(action="checked_in").count() == 1
    assert OutboxMessage.objects.filter(kind="ARRIVAL").count() == 1
    assert len(mail.outbox) == 1
    assert WebhookDelivery.objects.count() == 1
    assert len(receiver.received) == 1
