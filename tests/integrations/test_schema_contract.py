"""The served schema says what the server does (#6 §3, #13), and the schema check of conftest.py bites."""

import copy

import pytest
from django.test import Client

from tests.factories import EventFactory
from tests.integrations.conftest import EVENTS_URL
from tests.integrations.schema_check import SchemaChecker, SchemaViolation, served_schema

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema():
    return served_schema()


def _component(schema, name):
    return schema["components"]["schemas"][name]


def test_schema_is_openapi_3_1_where_null_is_a_type(schema):
    creator = _component(schema, "Event")["properties"]["creator"]

    assert schema["openapi"] == "3.1.0"
    assert creator == {"oneOf": [{"$ref": "#/components/schemas/Person"}, {"type": "null"}]}


def test_limit_is_1_to_200_defaulting_to_50_on_every_list(schema):
    limits = {
        path: next(p["schema"] for p in operations["get"]["parameters"] if p["name"] == "limit")
        for path, operations in schema["paths"].items()
        if "{" not in path
    }

    lists = [
        "/api/v2/events",
        "/api/v2/locations",
        "/api/v2/custom-fields",
        "/api/v2/access-partitions",
        "/api/v2/check-ins",
        "/api/v2/webhooks",
    ]
    assert limits == {
        path: {"type": "integer", "minimum": 1, "maximum": 200, "default": 50} for path in lists
    }


def test_events_carry_1_to_the_configured_maximum(schema):
    events = _component(schema, "EventsSyncRequest")["properties"]["events"]

    assert (events["minItems"], events["maxItems"]) == (1, 1000)


def test_ids_in_a_request_are_64_bit_integers(schema):
    location_id = _component(schema, "SyncEventRequest")["properties"]["locationId"]

    assert (location_id["minimum"], location_id["maximum"]) == (-(2**63 - 1), 2**63 - 1)


def test_the_location_filter_is_a_64_bit_integer(schema):
    [location_id] = [
        parameter
        for parameter in schema["paths"]["/api/v2/events"]["get"]["parameters"]
        if parameter["name"] == "locationId"
    ]

    assert location_id["schema"] == {"type": "integer", "minimum": -(2**63 - 1), "maximum": 2**63 - 1}


def test_every_answered_field_is_required(schema):
    for name in ("Event", "Invitation", "Person", "Location", "CustomField", "AccessProfile", "SyncResult"):
        component = _component(schema, name)
        assert sorted(component["required"]) == sorted(component["properties"]), name


def test_optional_texts_accept_the_empty_string_they_read_back_as(schema):
    invitation = _component(schema, "SyncInvitationRequest")["properties"]
    event = _component(schema, "SyncEventRequest")["properties"]

    for field in (invitation["email"], invitation["companyName"], event["description"]):
        assert (field["type"], "minLength" in field, "format" in field) == (["string", "null"], False, False)


def test_prose_rules_are_in_the_schema(schema):
    put = schema["paths"][EVENTS_URL]["put"]
    flag = put["parameters"][0]["schema"]
    language = _component(schema, "SyncInvitationRequest")["properties"]["language"]

    assert (sorted(flag["enum"]), flag["default"]) == (["0", "1", "false", "true"], "false")
    assert language["default"] == "EN"


def test_every_operation_declares_406_and_put_declares_411_413_415(schema):
    for operations in schema["paths"].values():
        for operation in operations.values():
            assert "406" in operation["responses"]
    assert {"411", "413", "415"} <= set(schema["paths"][EVENTS_URL]["put"]["responses"])


def test_empty_query_values_are_outside_the_schema(schema):
    parameters = schema["paths"][EVENTS_URL]["get"]["parameters"]

    assert {p["name"] for p in parameters if p["schema"].get("minLength") == 1} == {
        "cursor",
        "hostEmail",
        "search",
        "startsAfter",
        "startsBefore",
        "endsAfter",
        "updatedSince",
    }


def test_schema_check_refuses_an_answer_the_schema_does_not_describe(api, schema):
    EventFactory(integration=api.integration, creator=None, source_id="no-creator")
    strict = copy.deepcopy(schema)
    _component(strict, "Event")["properties"]["creator"] = {"$ref": "#/components/schemas/Person"}
    response = api.get(f"{EVENTS_URL}/no-creator")  # valid under the served schema

    with pytest.raises(SchemaViolation, match="not as the schema says"):
        SchemaChecker(strict).check(response)


def test_schema_check_refuses_an_accepted_request_the_schema_forbids(api, location, schema):
    strict = copy.deepcopy(schema)
    _component(strict, "SyncEventRequest")["properties"]["description"]["minLength"] = 1
    response = api.put_events([{"sourceId": "a", "description": ""}])

    with pytest.raises(SchemaViolation, match="was accepted"):
        SchemaChecker(strict).check(response)


def test_schema_check_covers_a_bare_test_client():
    # conftest.py wraps Django's Client itself, so no test can reach /api/ unchecked.
    assert Client.request.__name__ == "checked_request"
