"""POST/GET/DELETE /api/v2/webhooks: an integration's own endpoints, the secret shown once, the guard."""

import json

import pytest

from apps.webhooks.models import WebhookEndpoint
from apps.webhooks.services import webhook_endpoint_create
from tests.factories import IntegrationFactory
from tests.integrations.conftest import assert_problem

pytestmark = pytest.mark.django_db

URL = "/api/v2/webhooks"
PUBLIC = "https://93.184.215.14/hooks"  # an IP literal: public, and no DNS needed
TYPES_EXPECTED = "A list of distinct types of: checkin.created, checkin.updated, invitation.cancelled."
METADATA_REFUSED = "The host 169.254.169.254 resolves to 169.254.169.254, which is not a public address."


def post(api, body):
    return api.client.post(URL, json.dumps(body), content_type="application/json")


def test_registering_answers_201_with_the_secret_once(api, integration):
    response = post(api, {"url": PUBLIC, "types": ["checkin.created", "checkin.updated"]})

    assert response.status_code == 201, response.content
    body = response.json()
    endpoint = WebhookEndpoint.objects.get()
    assert body == {
        "id": endpoint.pk,
        "url": PUBLIC,
        "types": ["checkin.created", "checkin.updated"],
        "active": True,
        "secret": endpoint.secret,
    }
    assert body["secret"].startswith("whsec_")
    assert endpoint.integration == integration
    assert api.get(f"{URL}/{endpoint.pk}").json() == {
        "id": endpoint.pk,
        "url": PUBLIC,
        "types": ["checkin.created", "checkin.updated"],
        "active": True,
    }


def test_the_list_shows_own_endpoints_without_secrets(api, integration):
    own = webhook_endpoint_create(integration=integration, url=PUBLIC, types=["checkin.created"]).endpoint
    webhook_endpoint_create(
        integration=IntegrationFactory(name="Other"), url=PUBLIC, types=["checkin.created"]
    )

    response = api.get(URL)

    assert response.json() == {
        "results": [{"id": own.pk, "url": PUBLIC, "types": ["checkin.created"], "active": True}],
        "next": None,
    }


def test_deleting_answers_204_and_removes_it(api, integration):
    endpoint = webhook_endpoint_create(
        integration=integration, url=PUBLIC, types=["checkin.created"]
    ).endpoint

    assert api.client.delete(f"{URL}/{endpoint.pk}").status_code == 204
    assert WebhookEndpoint.objects.count() == 0


def test_another_integration_s_endpoint_is_a_404_and_stays(api):
    theirs = webhook_endpoint_create(
        integration=IntegrationFactory(name="Other"), url=PUBLIC, types=["checkin.created"]
    ).endpoint

    assert_problem(api.get(f"{URL}/{theirs.pk}"), 404)
    assert_problem(api.client.delete(f"{URL}/{theirs.pk}"), 404)
    assert WebhookEndpoint.objects.filter(pk=theirs.pk).exists()


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"url": "http://localhost/hooks", "types": ["checkin.created"]},
            [
                {
                    "field": "url",
                    "message": "The host localhost resolves to 127.0.0.1, which is not a public address.",
                }
            ],
        ),
        (
            {"url": "http://169.254.169.254/latest", "types": ["checkin.created"]},
            [
                {
                    "field": "url",
                    "message": METADATA_REFUSED,
                }
            ],
        ),
        (
            {"url": "ftp://93.184.215.14/x", "types": ["checkin.created"]},
            [{"field": "url", "message": "Only http and https URLs are allowed."}],
        ),
        (
            {"url": PUBLIC, "types": ["checkin.deleted"]},
            [
                {
                    "field": "types",
                    "message": TYPES_EXPECTED,
                }
            ],
        ),
        (
            {"url": PUBLIC, "types": []},
            [
                {
                    "field": "types",
                    "message": TYPES_EXPECTED,
                }
            ],
        ),
        (
            {"types": ["checkin.created"], "secret": "mine"},
            [
                {"field": "secret", "message": "Unknown field."},
                {"field": "url", "message": "Expected an http(s) URL."},
            ],
        ),
    ],
)
def test_a_refused_registration_is_a_400_and_creates_nothing(api, body, errors):
    assert_problem(post(api, body), 400, errors)
    assert WebhookEndpoint.objects.count() == 0


def test_the_list_takes_a_fixed_number_of_queries(api, integration, django_assert_num_queries):
    for number in range(5):
        webhook_endpoint_create(integration=integration, url=f"{PUBLIC}/{number}", types=["checkin.created"])

    # The token, the page.
    with django_assert_num_queries(2):
        assert len(api.get(URL).json()["results"]) == 5
