"""`create_integration` and `rotate_integration_token`: a token printed once, ready for the API."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from apps.integrations.models import Integration
from apps.integrations.services import token_hash
from tests.factories import IntegrationFactory
from tests.integrations.conftest import ApiClient

pytestmark = pytest.mark.django_db


def _run(*args) -> list[str]:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().strip().splitlines()


def test_create_integration_ends_with_the_token_as_json():
    *_, last = _run("create_integration", "HR calendar")

    output = json.loads(last)
    integration = Integration.objects.get()
    assert output == {
        "id": integration.id,
        "name": "HR calendar",
        "token": output["token"],
        "agentToken": str(integration.agent_token),
    }
    assert (integration.token_hash, integration.is_active) == (token_hash(output["token"]), True)


def test_created_token_opens_the_api():
    output = json.loads(_run("create_integration", "HR calendar")[-1])

    response = ApiClient(None, token=output["token"]).get("/api/v2/events")

    assert response.status_code == 200


def test_rotate_integration_token_replaces_the_token():
    integration = IntegrationFactory()
    old_token = integration.plain_token

    output = json.loads(_run("rotate_integration_token", str(integration.id))[-1])

    integration.refresh_from_db()
    assert (output["id"], output["agentToken"]) == (integration.id, str(integration.agent_token))
    assert integration.token_hash == token_hash(output["token"]) != token_hash(old_token)
    assert ApiClient(None, token=old_token).get("/api/v2/events").status_code == 401


def test_rotating_an_unknown_integration_fails_and_changes_nothing():
    integration = IntegrationFactory()

    with pytest.raises(CommandError, match=r"^There is no integration with id 999999\.$"):
        _run("rotate_integration_token", "999999")

    assert Integration.objects.get().token_hash == integration.token_hash
