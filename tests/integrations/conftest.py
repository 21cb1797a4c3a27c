import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from apps.integrations.models import Integration
from tests.factories import EntranceFactory, IntegrationFactory, LocationFactory
from tests.integrations.schema_check import SchemaChecker, served_schema

EVENTS_URL = "/api/v2/events"
PROBLEM_JSON = "application/problem+json"


class ApiClient:
    """The test client speaking as one integration: bearer token, JSON bodies."""

    def __init__(self, integration: Integration | None, token: str | None = None) -> None:
        self.integration = integration
        headers = {}
        bearer = token if token is not None else getattr(integration, "plain_token", None)
        if bearer is not None:
            headers["Authorization"] = f"Bearer {bearer}"
        self.client = Client(headers=headers)

    def get(self, path: str, data: dict[str, Any] | None = None) -> Any:
        return self.client.get(path, data)

    def put_raw(self, body: bytes | str, query: str = "", **extra: Any) -> Any:
        return self.client.put(f"{EVENTS_URL}{query}", body, content_type="application/json", **extra)

    def put_events(self, events: list[Any], query: str = "", **body: Any) -> Any:
        """PUT /events with this integration's agentToken unless the body gives another."""
        payload = {"agentToken": str(self.integration.agent_token), "events": events, **body}
        return self.put_raw(json.dumps(payload), query)


def spec_example_event(
    *,
    location_id: int,
    entrance_id: int,
    event_field_id: int,
    invitation_field_id: int,
    partition_id: int,
) -> dict[str, Any]:
    """The event of the spec's example body (the board meeting), with the given ids."""
    return {
        "sourceId": "meeting-456",
        "name": "Board meeting",
        "description": "Quarterly review",
        "startsAt": "2026-12-01T09:00:00+01:00",
        "endsAt": "2026-12-01T11:00:00+01:00",
        "locationId": location_id,
        "entranceId": entrance_id,
        "host": {
            "email": "ceo@example.com",
            "firstName": "Ada",
            "lastName": "Lovelace",
            "phoneNumber": "+4930123456",
        },
        "creator": {"email": "assistant@example.com", "firstName": "Bob", "lastName": "Baker"},
        "invitations": [
            {
                "sourceId": "guest-101",
                "email": "jsmith@example.com",
                "firstName": "John",
                "lastName": "Smith",
                "companyName": "Acme",
                "language": "EN",
                "customFields": {str(invitation_field_id): "B-XY 123"},
                "accessProfiles": [{"partitionId": partition_id, "sourceId": "visitors-floor-3"}],
                "deletedAt": None,
            }
        ],
        "customFields": {str(event_field_id): "Security clearance required"},
        "updatedAt": "2026-11-20T10:00:00Z",
        "deletedAt": None,
    }


@pytest.fixture(scope="session")
def schema_checker(django_db_blocker) -> SchemaChecker:
    with django_db_blocker.unblock():
        return SchemaChecker(served_schema())


@pytest.fixture(autouse=True)
def _api_traffic_matches_the_schema(monkeypatch, schema_checker: SchemaChecker) -> None:
    """Every /api/ request made through Django's test Client, by any test here, is checked."""
    request = Client.request

    def checked_request(self: Client, **kwargs: Any) -> Any:
        response = request(self, **kwargs)
        schema_checker.check(response)
        return response

    monkeypatch.setattr(Client, "request", checked_request)


@pytest.fixture
def event_read_queries() -> int:
    """Queries of a page of events or one event: the token, the page's rows, then on PostgreSQL the
    events as JSON; elsewhere their guests and the guests' access profiles."""
    return 3 if connection.vendor == "postgresql" else 4


@pytest.fixture
def integration() -> Integration:
    return IntegrationFactory(name="HR calendar")


@pytest.fixture
def api(integration: Integration) -> ApiClient:
    return ApiClient(integration)


@pytest.fixture
def location():
    return LocationFactory(name="Berlin HQ")


@pytest.fixture
def entrance(location):
    return EntranceFactory(location=location, name="Main entrance")


def assert_problem(response: Any, status: int, errors: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """The response is a problem document with this status (and exactly these errors, when given)."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM_JSON
    body = response.json()
    assert set(body) == {"type", "title", "status", "detail", "errors"}
    assert body["status"] == status
    if errors is not None:
        assert body["errors"] == errors
    return body
