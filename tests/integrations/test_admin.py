"""The Integration admin: a token is shown once on creation and rotation; deactivation cuts access."""

import re

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from apps.integrations.models import Integration
from apps.integrations.services import token_hash
from tests.factories import IntegrationFactory
from tests.integrations.conftest import ApiClient

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/integrations/integration/"
TOKEN_PATTERN = re.compile(r'<code class="issued-token">([^<]+)</code>')


def _shown_tokens(response) -> list[str]:
    return TOKEN_PATTERN.findall(response.content.decode())


def test_adding_an_integration_shows_its_token_once(admin_client):
    response = admin_client.post(f"{CHANGELIST}add/", {"name": "HR calendar", "is_active": "on"})

    integration = Integration.objects.get()
    [token] = _shown_tokens(response)
    assert (response.status_code, integration.name, integration.token_hash) == (
        200,
        "HR calendar",
        token_hash(token),
    )
    assert str(integration.agent_token) in response.content.decode()
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    assert _shown_tokens(admin_client.get(f"{CHANGELIST}{integration.id}/change/")) == []


def test_token_from_the_admin_opens_the_api(admin_client):
    [token] = _shown_tokens(
        admin_client.post(f"{CHANGELIST}add/", {"name": "HR calendar", "is_active": "on"})
    )

    assert ApiClient(None, token=token).get("/api/v2/events").status_code == 200


def test_change_page_never_shows_the_token_hash(admin_client):
    integration = IntegrationFactory()

    page = admin_client.get(f"{CHANGELIST}{integration.id}/change/").content.decode()

    assert integration.token_hash not in page
    assert 'name="token_hash"' not in page
    assert integration.token_prefix in page


def test_change_form_edits_only_the_name(admin_client):
    integration = IntegrationFactory(name="Old name")
    before = (integration.token_hash, integration.agent_token)

    admin_client.post(f"{CHANGELIST}{integration.id}/change/", {"name": "New name", "token_hash": "x" * 64})

    integration.refresh_from_db()
    assert (integration.name, integration.token_hash, integration.agent_token) == ("New name", *before)


def test_change_form_without_the_active_box_does_not_deactivate(admin_client):
    integration = IntegrationFactory()

    admin_client.post(f"{CHANGELIST}{integration.id}/change/", {"name": integration.name})

    assert Integration.objects.get().is_active is True
    assert ApiClient(integration).get("/api/v2/events").status_code == 200


def test_change_form_with_the_active_box_does_not_activate(admin_client):
    integration = IntegrationFactory(is_active=False)

    admin_client.post(f"{CHANGELIST}{integration.id}/change/", {"name": integration.name, "is_active": "on"})

    assert Integration.objects.get().is_active is False
    assert ApiClient(integration).get("/api/v2/events").status_code == 401


def test_change_form_shows_active_as_read_only(admin_client):
    integration = IntegrationFactory()

    page = admin_client.get(f"{CHANGELIST}{integration.id}/change/").content.decode()

    assert 'name="is_active"' not in page
    assert "field-is_active" in page


def test_rotate_action_asks_first_and_changes_nothing_yet(admin_client):
    integration = IntegrationFactory()

    response = admin_client.post(
        CHANGELIST, {"action": "rotate_tokens", ACTION_CHECKBOX_NAME: [integration.id]}
    )

    assert "Yes, rotate the tokens" in response.content.decode()
    assert Integration.objects.get().token_hash == integration.token_hash


def test_rotate_action_shows_each_new_token_once(admin_client):
    first, second = IntegrationFactory(), IntegrationFactory()

    response = admin_client.post(
        CHANGELIST, {"action": "rotate_tokens", ACTION_CHECKBOX_NAME: [first.id, second.id], "post": "yes"}
    )

    tokens = _shown_tokens(response)
    hashes = set(Integration.objects.values_list("token_hash", flat=True))
    assert (len(tokens), {token_hash(token) for token in tokens}) == (2, hashes)
    assert ApiClient(first).get("/api/v2/events").status_code == 401


def test_deactivate_action_cuts_access(admin_client):
    integration = IntegrationFactory()
    other = IntegrationFactory()

    admin_client.post(CHANGELIST, {"action": "deactivate", ACTION_CHECKBOX_NAME: [integration.id]})

    assert list(Integration.objects.order_by("id").values_list("is_active", flat=True)) == [False, True]
    assert ApiClient(integration).get("/api/v2/events").status_code == 401
    assert ApiClient(other).get("/api/v2/events").status_code == 200


def test_activate_action_lets_the_token_in_again(admin_client):
    integration = IntegrationFactory(is_active=False)
    other = IntegrationFactory(is_active=False)

    response = admin_client.post(
        CHANGELIST, {"action": "activate", ACTION_CHECKBOX_NAME: [integration.id]}, follow=True
    )

    assert list(Integration.objects.order_by("id").values_list("is_active", flat=True)) == [True, False]
    assert [str(m) for m in response.context["messages"]] == [
        "Activated 1 integration(s); their tokens work again."
    ]
    assert ApiClient(integration).get("/api/v2/events").status_code == 200
    assert ApiClient(other).get("/api/v2/events").status_code == 401


def test_changelist_searches_and_filters(admin_client):
    IntegrationFactory(name="HR calendar")
    IntegrationFactory(name="Room booking", is_active=False)

    by_name = admin_client.get(CHANGELIST, {"q": "calendar"}).context["cl"].result_list
    inactive = admin_client.get(CHANGELIST, {"is_active__exact": "0"}).context["cl"].result_list

    assert [i.name for i in by_name] == ["HR calendar"]
    assert [i.name for i in inactive] == ["Room booking"]
