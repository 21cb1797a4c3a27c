"""The webhook admin: endpoints with the secret shown once, deliveries with every attempt, redeliver,
and the check-in access grants; all of it for super admins only."""

import datetime as dt
import re

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import timezone
from standardwebhooks import Webhook

from apps.integrations.models import CheckInGrant
from apps.webhooks.models import WebhookDelivery, WebhookEndpoint
from apps.webhooks.services import webhook_endpoint_create
from tests.factories import IntegrationFactory, LocationFactory
from tests.integrations.checkins_helpers import arrive, guest_of
from tests.webhooks.receiver import Answer, Receiver

pytestmark = pytest.mark.django_db

ENDPOINTS = "/admin/webhooks/webhookendpoint/"
DELIVERIES = "/admin/webhooks/webhookdelivery/"
GRANTS = "/admin/integrations/checkingrant/"
SECRET = re.compile(r'<code class="issued-secret">([^<]+)</code>')


@pytest.fixture
def integration():
    return IntegrationFactory(name="Access control")


def test_adding_an_endpoint_shows_its_secret_once(admin_client, integration):
    response = admin_client.post(
        f"{ENDPOINTS}add/",
        {
            "integration": integration.pk,
            "url": "https://93.184.215.14/hooks",
            "types": ["checkin.created"],
            "is_active": "on",
        },
    )

    endpoint = WebhookEndpoint.objects.get()
    assert SECRET.findall(response.content.decode()) == [endpoint.secret]
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    assert (endpoint.integration, endpoint.types) == (integration, ["checkin.created"])
    assert endpoint.secret not in admin_client.get(f"{ENDPOINTS}{endpoint.pk}/change/").content.decode()


def test_the_admin_refuses_a_private_url(admin_client, integration, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    response = admin_client.post(
        f"{ENDPOINTS}add/",
        {"integration": integration.pk, "url": "http://10.0.0.5/hooks", "types": ["checkin.created"]},
    )

    assert (
        "The host 10.0.0.5 resolves to 10.0.0.5, which is not a public address." in response.content.decode()
    )
    assert WebhookEndpoint.objects.count() == 0


def test_rotating_shows_the_new_secret_once(admin_client, integration):
    issued = webhook_endpoint_create(
        integration=integration, url="https://93.184.215.14/h", types=["checkin.created"]
    )

    response = admin_client.post(
        ENDPOINTS, {"action": "rotate_secrets", ACTION_CHECKBOX_NAME: [issued.endpoint.pk]}
    )

    endpoint = WebhookEndpoint.objects.get()
    assert SECRET.findall(response.content.decode()) == [endpoint.secret]
    assert endpoint.secret != issued.secret


def test_a_delivery_page_lists_every_attempt_and_redeliver_sends_it_again(
    admin_client, integration, django_capture_on_commit_callbacks
):
    berlin = LocationFactory(timezone="Europe/Berlin")
    guest = guest_of(
        location=berlin, integration=integration, starts_at=timezone.now() - dt.timedelta(hours=1)
    )
    with Receiver([Answer(400)]) as receiver:
        issued = webhook_endpoint_create(integration=integration, url=receiver.url, types=["checkin.created"])
        with django_capture_on_commit_callbacks(execute=True):
            arrive(guest, timezone.now())
        delivery = WebhookDelivery.objects.get()
        page = admin_client.get(f"{DELIVERIES}{delivery.pk}/change/").content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            admin_client.post(DELIVERIES, {"action": "redeliver", ACTION_CHECKBOX_NAME: [delivery.pk]})

    assert delivery.webhook_id in page
    assert "400" in page
    assert [request.headers["webhook-id"] for request in receiver.received] == [delivery.webhook_id] * 2
    Webhook(issued.secret).verify(receiver.received[1].body, receiver.received[1].headers)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED


def test_a_super_admin_grants_check_in_access_to_a_location(admin_client, integration):
    location = LocationFactory(name="Berlin HQ")

    admin_client.post(f"{GRANTS}add/", {"integration": integration.pk, "location": location.pk})

    assert list(CheckInGrant.objects.values_list("integration_id", "location_id")) == [
        (integration.pk, location.pk)
    ]


@pytest.mark.parametrize("page", [ENDPOINTS, DELIVERIES, GRANTS, f"{GRANTS}add/"])
def test_staff_who_are_not_super_admins_get_none_of_it_whatever_their_permissions(client, page):
    staff = get_user_model().objects.create_user("rita", password="x", is_staff=True)
    staff.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["webhooks", "integrations"])
    )
    client.force_login(staff)

    assert client.get(page).status_code == 403
