"""Webhook deliveries to a real local HTTP receiver: signed, retried with the same webhook-id, cut off."""

import datetime as dt
import json

import pytest
from django.utils import timezone
from standardwebhooks import Webhook

from apps.integrations.api.checkins_serializers import check_in_render
from apps.visits.models import CheckIn
from apps.webhooks.models import WebhookDelivery, WebhookEndpoint
from apps.webhooks.services import webhook_deliveries_redeliver, webhook_endpoint_create, webhook_relay
from apps.webhooks.tasks import webhook_delivery_deliver
from tests.factories import IntegrationFactory, LocationFactory
from tests.integrations.checkins_helpers import arrive, grant, guest_of, leave
from tests.webhooks.receiver import Answer, Receiver

pytestmark = pytest.mark.django_db

ALL_TYPES = ["checkin.created", "checkin.updated"]


@pytest.fixture
def integration():
    return IntegrationFactory(name="Access control")


@pytest.fixture
def berlin():
    return LocationFactory(name="Berlin HQ", timezone="Europe/Berlin")


@pytest.fixture
def guest(integration, berlin):
    return guest_of(
        location=berlin,
        integration=integration,
        event_source_id="meeting-456",
        guest_source_id="guest-101",
        starts_at=timezone.now() - dt.timedelta(hours=1),
    )


def register(integration, receiver: Receiver, types=ALL_TYPES):
    return webhook_endpoint_create(integration=integration, url=receiver.url, types=types)


def check_in(guest, capture) -> CheckIn:
    with capture(execute=True):
        return arrive(guest, timezone.now())


def verified(issued, request) -> dict:
    """The body, once its signature checks out with the endpoint's secret (raises otherwise)."""
    return Webhook(issued.secret).verify(request.body, request.headers)


def attempts(delivery: WebhookDelivery) -> list:
    return list(delivery.attempts_made.order_by("id").values_list("status_code", flat=True))


def test_a_guest_checking_in_is_posted_to_the_receiver_and_the_signature_verifies(
    integration, guest, django_capture_on_commit_callbacks
):
    with Receiver() as receiver:
        issued = register(integration, receiver)
        arrival = check_in(guest, django_capture_on_commit_callbacks)

    [request] = receiver.received
    payload = verified(issued, request)
    assert payload["type"] == "checkin.created"
    assert payload["data"] == json.loads(
        json.dumps(check_in_render(check_in=arrival, integration=integration))
    )
    assert payload["data"]["invitation"] == {"id": guest.pk, "sourceId": "guest-101"}
    assert request.headers["Content-Type"] == "application/json"
    delivery = WebhookDelivery.objects.get()
    assert request.headers["webhook-id"] == delivery.webhook_id
    assert (delivery.status, attempts(delivery)) == (WebhookDelivery.Status.SUCCEEDED, [200])


def test_a_guest_leaving_is_posted_as_checkin_updated(integration, guest, django_capture_on_commit_callbacks):
    with Receiver() as receiver:
        issued = register(integration, receiver)
        check_in(guest, django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=True):
            leave(guest, timezone.now())

    payloads = [verified(issued, request) for request in receiver.received]
    assert [(p["type"], p["data"]["state"]) for p in payloads] == [
        ("checkin.created", "ON_SITE"),
        ("checkin.updated", "LEFT"),
    ]


def test_a_receiver_failing_twice_gets_three_attempts_with_one_webhook_id(
    integration, guest, django_capture_on_commit_callbacks
):
    with Receiver([Answer(503), Answer(503), Answer(200)]) as receiver:
        issued = register(integration, receiver)
        check_in(guest, django_capture_on_commit_callbacks)
        webhook_relay()
        webhook_relay()
        webhook_relay()  # nothing left to send

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, attempts(delivery)) == (WebhookDelivery.Status.SUCCEEDED, [503, 503, 200])
    assert [request.headers["webhook-id"] for request in receiver.received] == [delivery.webhook_id] * 3
    assert len({verified(issued, request)["timestamp"] for request in receiver.received}) == 1


def test_a_410_stops_retries_and_deactivates_the_endpoint(
    integration, guest, django_capture_on_commit_callbacks
):
    with Receiver([Answer(410)]) as receiver:
        register(integration, receiver)
        check_in(guest, django_capture_on_commit_callbacks)
        webhook_relay()
        with django_capture_on_commit_callbacks(execute=True):
            leave(guest, timezone.now())

    assert len(receiver.received) == 1
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, attempts(delivery)) == (WebhookDelivery.Status.FAILED, [410])
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.is_active is False
    assert endpoint.deactivated_reason.startswith("The receiver answered 410 Gone")


def test_a_receiver_that_never_answers_is_cut_off_at_the_timeout_and_retried(
    integration, guest, django_capture_on_commit_callbacks
):
    with Receiver([Answer(200, delay=3)]) as receiver:
        register(integration, receiver)
        check_in(guest, django_capture_on_commit_callbacks)
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == WebhookDelivery.Status.PENDING
        webhook_relay()

    first, second = delivery.attempts_made.order_by("id")
    assert (first.status_code, first.error) == (None, "No answer within 0.5 s.")
    assert 500 <= first.duration_ms < 2000
    assert second.status_code == 200
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED
    assert len(receiver.received) == 2


def test_a_429_waits_at_least_as_long_as_retry_after_says(
    integration, guest, django_capture_on_commit_callbacks
):
    with Receiver([Answer(429, headers={"Retry-After": "120"})]) as receiver:
        register(integration, receiver)
        check_in(guest, django_capture_on_commit_callbacks)
        webhook_relay()  # not due yet

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, attempts(delivery), len(receiver.received)) == ("PENDING", [429], 1)
    assert delivery.next_attempt_at - delivery.updated_at >= dt.timedelta(seconds=119)


@pytest.mark.parametrize("status", [400, 404, 302])
def test_another_4xx_or_a_redirect_is_final(integration, guest, status, django_capture_on_commit_callbacks):
    with Receiver([Answer(status, headers={"Location": "/elsewhere"})]) as receiver:
        register(integration, receiver)
        check_in(guest, django_capture_on_commit_callbacks)
        webhook_relay()

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, attempts(delivery)) == (WebhookDelivery.Status.FAILED, [status])
    assert [request.path for request in receiver.received] == ["/hooks"]
    assert WebhookEndpoint.objects.get().is_active is True


def test_a_task_run_twice_delivers_once(integration, guest, django_capture_on_commit_callbacks):
    with Receiver() as receiver:
        register(integration, receiver)
        check_in(guest, django_capture_on_commit_callbacks)
        delivery = WebhookDelivery.objects.get()
        second_run = webhook_delivery_deliver.apply(kwargs={"delivery_id": delivery.pk}).get()

    assert second_run == "not_claimed"
    assert len(receiver.received) == 1
    assert attempts(delivery) == [200]


def test_an_endpoint_gets_only_the_types_it_subscribed_to(
    integration, guest, django_capture_on_commit_callbacks
):
    with Receiver() as receiver:
        register(integration, receiver, types=["checkin.updated"])
        check_in(guest, django_capture_on_commit_callbacks)

    assert receiver.received == []
    assert WebhookDelivery.objects.count() == 0


def test_another_integration_hears_only_of_its_granted_locations(
    guest, berlin, django_capture_on_commit_callbacks
):
    elsewhere = IntegrationFactory(name="Elsewhere")
    door = IntegrationFactory(name="Door system")
    grant(door, berlin)
    with Receiver() as blind, Receiver() as granted:
        register(elsewhere, blind)
        issued = register(door, granted)
        check_in(guest, django_capture_on_commit_callbacks)

    assert blind.received == []
    [request] = granted.received
    data = verified(issued, request)["data"]
    assert (data["invitation"]["sourceId"], data["event"]["sourceId"]) == (None, None)


def test_the_guard_refuses_a_private_address_again_at_delivery(
    integration, guest, settings, django_capture_on_commit_callbacks
):
    with Receiver() as receiver:
        register(integration, receiver)
        settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
        check_in(guest, django_capture_on_commit_callbacks)
        webhook_relay()

    assert receiver.received == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.FAILED
    [attempt] = delivery.attempts_made.all()
    assert (attempt.status_code, attempt.error) == (
        None,
        "The host 127.0.0.1 resolves to 127.0.0.1, which is not a public address.",
    )


def test_after_the_last_retry_the_delivery_fails(integration, guest, django_capture_on_commit_callbacks):
    with Receiver([Answer(503)] * 4) as receiver:
        register(integration, receiver)
        check_in(guest, django_capture_on_commit_callbacks)
        for _ in range(5):
            webhook_relay()

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, attempts(delivery)) == (WebhookDelivery.Status.FAILED, [503, 503, 503, 503])
    assert delivery.last_error == "Attempt 4: HTTP 503 (no attempts left)."
    assert len(receiver.received) == 4


def test_redelivering_sends_the_same_message_again(integration, guest, django_capture_on_commit_callbacks):
    with Receiver([Answer(400)]) as receiver:
        issued = register(integration, receiver)
        check_in(guest, django_capture_on_commit_callbacks)
        delivery = WebhookDelivery.objects.get()
        with django_capture_on_commit_callbacks(execute=True):
            assert webhook_deliveries_redeliver(delivery_ids=[delivery.pk]) == 1

    first, second = receiver.received
    assert (first.body, first.headers["webhook-id"]) == (second.body, second.headers["webhook-id"])
    verified(issued, second)
    delivery.refresh_from_db()
    assert (delivery.status, attempts(delivery)) == (WebhookDelivery.Status.SUCCEEDED, [400, 200])
