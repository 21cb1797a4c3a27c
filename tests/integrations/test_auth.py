"""Who may call the API: bearer tokens, agentToken, and one integration never seeing another's events."""

import pytest

from apps.integrations.services import integration_deactivate, integration_rotate_token
from apps.visits.models import Event
from tests.factories import EventFactory, IntegrationFactory
from tests.integrations.conftest import ApiClient, assert_problem
from tests.visits.conftest import db_state

pytestmark = pytest.mark.django_db

AUTH_FAILED = "The token is not valid or has been revoked."


def _event_body(location, source_id="meeting-456"):
    return {
        "sourceId": source_id,
        "name": "Board meeting",
        "startsAt": "2026-12-01T09:00:00+01:00",
        "endsAt": "2026-12-01T11:00:00+01:00",
        "locationId": location.id,
        "host": {"email": "ceo@example.com"},
    }


def test_missing_token_is_401_with_bearer_challenge():
    response = ApiClient(None).get("/api/v2/events")

    body = assert_problem(response, 401, errors=[])
    assert body["detail"] == "Authentication credentials were not provided."
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_unknown_token_is_401(integration):
    response = ApiClient(None, token="vp_not-a-real-token").get("/api/v2/events")

    body = assert_problem(response, 401, errors=[])
    assert body["detail"] == AUTH_FAILED
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_other_authorization_scheme_is_401(integration):
    client = ApiClient(None)
    response = client.client.get(
        "/api/v2/events", headers={"Authorization": f"Token {integration.plain_token}"}
    )

    assert_problem(response, 401)


def test_bearer_without_token_is_401():
    client = ApiClient(None)
    response = client.client.get("/api/v2/events", headers={"Authorization": "Bearer"})

    assert_problem(response, 401)


def test_deactivated_integration_is_401(integration):
    integration_deactivate(integration=integration)

    response = ApiClient(integration).get("/api/v2/events")

    assert assert_problem(response, 401)["detail"] == AUTH_FAILED


def test_rotated_token_replaces_the_old_one(integration):
    old = ApiClient(integration)
    issued = integration_rotate_token(integration=integration)

    assert_problem(old.get("/api/v2/events"), 401)
    assert ApiClient(integration, token=issued.token).get("/api/v2/events").status_code == 200


def test_deactivated_integration_cannot_sync(integration, location):
    integration_deactivate(integration=integration)
    before = db_state()

    response = ApiClient(integration).put_events([_event_body(location)])

    assert_problem(response, 401)
    assert db_state() == before


def test_foreign_agent_token_is_403_and_changes_nothing(api, location):
    other = IntegrationFactory()
    before = db_state()

    response = api.put_events([_event_body(location)], agentToken=str(other.agent_token))

    body = assert_problem(
        response, 403, errors=[{"field": "agentToken", "message": "Not your integration's agentToken."}]
    )
    assert body["detail"] == "The agentToken does not belong to the integration of this token."
    assert db_state() == before


def test_other_integrations_event_is_404(api):
    other = IntegrationFactory()
    EventFactory(integration=other, source_id="meeting-456")

    response = api.get("/api/v2/events/meeting-456")

    body = assert_problem(response, 404, errors=[])
    assert body["detail"] == "This integration has no event with this sourceId."


def test_other_integrations_events_are_not_listed(api, integration):
    EventFactory(integration=IntegrationFactory(), source_id="theirs")
    own = EventFactory(integration=integration, source_id="ours")

    response = api.get("/api/v2/events")

    assert [item["id"] for item in response.json()["results"]] == [own.id]


def test_same_source_id_from_another_integration_creates_its_own_event(api, integration, location):
    other = IntegrationFactory()
    theirs = EventFactory(integration=other, source_id="meeting-456", name="Their meeting")

    response = api.put_events([_event_body(location)])

    ours = Event.objects.get(integration=integration, source_id="meeting-456")
    assert response.json()["events"][0]["id"] == ours.id
    assert ours.id != theirs.id
    theirs.refresh_from_db()
    assert (theirs.name, theirs.integration) == ("Their meeting", other)
