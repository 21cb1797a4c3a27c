"""GET /schema and /docs: an OpenAPI document that builds cleanly and says what the views answer."""

import io

import pytest
import yaml
from django.core.management import call_command
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from tests.factories import (
    AccessProfileFactory,
    CustomFieldFactory,
    EntranceFactory,
    EventFactory,
    InvitationFactory,
)
from tests.integrations.conftest import assert_problem

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _properties(schema, component: str) -> set[str]:
    return set(schema["components"]["schemas"][component]["properties"])


def test_schema_builds_without_warnings_or_errors(tmp_path):
    out = io.StringIO()

    # --fail-on-warn turns every warning (an unresolvable field, an unknown auth class…) into a failure.
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"), stdout=out
    )

    document = yaml.safe_load((tmp_path / "schema.yml").read_text())
    assert sorted(document["paths"]) == [
        "/api/v2/access-partitions",
        "/api/v2/check-ins",
        "/api/v2/check-ins/{id}",
        "/api/v2/check-ins/{id}/check-out",
        "/api/v2/custom-fields",
        "/api/v2/events",
        "/api/v2/events/{sourceId}",
        "/api/v2/locations",
        "/api/v2/webhooks",
        "/api/v2/webhooks/{id}",
    ]


def test_schema_and_docs_need_no_token():
    schema_response = Client().get("/api/v2/schema", {"format": "json"})
    docs_response = Client().get("/api/v2/docs")

    assert (schema_response.status_code, schema_response.json()["openapi"]) == (200, "3.1.0")
    assert docs_response.status_code == 200


def test_docs_load_everything_from_the_portal_itself():
    html = Client().get("/api/v2/docs").content.decode()

    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert "https://" not in html


def test_every_operation_documents_its_problems(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            problems = {
                status
                for status, response in operation["responses"].items()
                if "application/problem+json" in response.get("content", {})
            }
            assert "401" in problems, (method, path)


def test_put_documents_its_body_and_flag(schema):
    put = schema["paths"]["/api/v2/events"]["put"]

    body_ref = put["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body_ref == "#/components/schemas/EventsSyncRequest"
    assert [parameter["name"] for parameter in put["parameters"]] == ["ignoreMissingInvitations"]
    assert sorted(put["responses"]) == ["200", "400", "401", "403", "406", "411", "413", "415", "500"]
    assert _properties(schema, "SyncEventRequest") == {
        "sourceId",
        "name",
        "description",
        "startsAt",
        "endsAt",
        "locationId",
        "entranceId",
        "host",
        "creator",
        "invitations",
        "customFields",
        "updatedAt",
        "deletedAt",
    }


def test_list_documents_its_filters(schema):
    parameters = {parameter["name"] for parameter in schema["paths"]["/api/v2/events"]["get"]["parameters"]}

    assert parameters == {
        "cursor",
        "limit",
        "startsAfter",
        "startsBefore",
        "endsAfter",
        "locationId",
        "status",
        "updatedSince",
        "hostEmail",
        "search",
    }


def test_documented_event_fields_are_the_answered_ones(api, schema, integration):
    event = EventFactory(integration=integration, source_id="meeting-456")
    InvitationFactory(event=event)

    listed = api.get("/api/v2/events").json()
    item = api.get("/api/v2/events/meeting-456").json()

    assert set(listed) == _properties(schema, "PaginatedEventList")
    assert set(item) == _properties(schema, "Event")
    assert set(item["host"]) == _properties(schema, "Person")
    assert set(item["invitations"][0]) == _properties(schema, "Invitation")


def test_documented_catalog_fields_are_the_answered_ones(api, schema):
    EntranceFactory()
    CustomFieldFactory()
    AccessProfileFactory()

    location = api.get("/api/v2/locations").json()["results"][0]
    field = api.get("/api/v2/custom-fields").json()["results"][0]
    partition = api.get("/api/v2/access-partitions").json()["results"][0]

    assert set(location) == _properties(schema, "Location")
    assert set(location["entrances"][0]) == _properties(schema, "Entrance")
    assert set(field) == _properties(schema, "CustomField")
    assert set(partition) == _properties(schema, "AccessPartition")
    assert set(partition["profiles"][0]) == _properties(schema, "AccessProfile")


def test_documented_sync_answer_is_the_answered_one(api, schema, location):
    response = api.put_events([{"sourceId": "meeting-456", "name": "Board meeting"}])

    result = response.json()["events"][0]
    assert set(response.json()) == _properties(schema, "EventsSyncResults")
    assert set(result) == _properties(schema, "SyncResult")
    assert set(result["errors"][0]) == _properties(schema, "FieldError")


def test_documented_problem_is_the_answered_one(schema):
    body = assert_problem(Client().get("/api/v2/events"), 401)

    assert set(body) == _properties(schema, "Problem")
