"""PUT /events that gets through: the engine's results rendered in request order."""

import datetime as dt

import pytest

from apps.directory.models import CustomField
from apps.visits.models import Event
from tests.factories import CustomFieldFactory
from tests.integrations.conftest import assert_problem
from tests.visits.conftest import db_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def event_json(location):
    def build(source_id="meeting-456", **fields):
        return {
            "sourceId": source_id,
            "name": "Board meeting",
            "startsAt": "2026-12-01T09:00:00+01:00",
            "endsAt": "2026-12-01T11:00:00+01:00",
            "locationId": location.id,
            "host": {"email": "ceo@example.com", "firstName": "Ada", "lastName": "Lovelace"},
            **fields,
        }

    return build


def test_results_come_one_per_event_in_request_order(api, event_json):
    api.put_events([event_json("b")])

    response = api.put_events([event_json("c"), event_json("b"), event_json("a")])

    ids = dict(Event.objects.values_list("source_id", "id"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "events": [
            {"sourceId": "c", "status": "SUCCESS", "id": ids["c"], "action": "created", "errors": []},
            {"sourceId": "b", "status": "SUCCESS", "id": ids["b"], "action": "unchanged", "errors": []},
            {"sourceId": "a", "status": "SUCCESS", "id": ids["a"], "action": "created", "errors": []},
        ]
    }


def test_event_error_fields_stay_relative_to_the_event(api):
    before = db_state()

    response = api.put_events([{"sourceId": "meeting-456", "description": "No name, no time"}])

    assert response.json() == {
        "events": [
            {
                "sourceId": "meeting-456",
                "status": "ERROR_MISSING_REQUIRED_FIELDS",
                "id": None,
                "action": None,
                "errors": [
                    {"field": "name", "message": "name is required to create an event."},
                    {"field": "startsAt", "message": "startsAt is required to create an event."},
                    {"field": "endsAt", "message": "endsAt is required to create an event."},
                    {"field": "locationId", "message": "locationId is required to create an event."},
                    {"field": "host.email", "message": "host.email is required to create an event."},
                ],
            }
        ]
    }
    assert db_state() == before


def test_times_with_offsets_are_stored_as_the_same_instant(api, event_json):
    api.put_events([event_json(startsAt="2026-12-01T09:00:00+01:00", endsAt="2026-12-01T05:30:00-05:00")])

    event = Event.objects.get()
    assert (event.starts_at, event.ends_at) == (
        dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 1, 10, 30, tzinfo=dt.UTC),
    )


def test_null_clears_and_absent_keeps_over_http(api, event_json, entrance):
    api.put_events([event_json(description="Quarterly review", entranceId=entrance.id)])

    api.put_events([{"sourceId": "meeting-456", "description": None}])

    event = Event.objects.get()
    assert (event.name, event.description, event.entrance) == ("Board meeting", "", entrance)


def _nested_in_lists(value, depth: int):
    for _ in range(depth):
        value = [value]
    return value


def test_custom_field_value_nested_past_the_limit_is_refused(api, event_json, mailoutbox):
    from apps.integrations.api.parsing import MAX_VALUE_DEPTH

    field = CustomFieldFactory(scope=CustomField.Scope.EVENT)
    before = db_state()

    response = api.put_events(
        [event_json(customFields={str(field.id): _nested_in_lists("x", MAX_VALUE_DEPTH + 5)})]
    )

    deepest = f"events[0].customFields.{field.id}" + "[0]" * (MAX_VALUE_DEPTH + 1)
    assert_problem(
        response, 400, [{"field": deepest, "message": f"Nested deeper than {MAX_VALUE_DEPTH} levels."}]
    )
    assert db_state() == before
    assert mailoutbox == []


def test_body_nested_950_deep_answers_400_not_500(api, event_json, mailoutbox):
    # Depending on the Python version the JSON decoder or the parser gives up first; either is a 400.
    field = CustomFieldFactory(scope=CustomField.Scope.EVENT)
    before = db_state()

    response = api.put_events([event_json(customFields={str(field.id): _nested_in_lists("x", 950)})])

    assert (response.status_code, response["Content-Type"]) == (400, "application/problem+json")
    assert db_state() == before
    assert mailoutbox == []


def test_custom_field_value_of_a_list_is_an_invalid_value(api, event_json, mailoutbox):
    field = CustomFieldFactory(scope=CustomField.Scope.EVENT)
    before = db_state()

    response = api.put_events([event_json(customFields={str(field.id): ["x"]})])

    assert response.status_code == 200
    assert response.json() == {
        "events": [
            {
                "sourceId": "meeting-456",
                "status": "ERROR_INVALID_CUSTOM_FIELD_VALUE",
                "id": None,
                "action": None,
                "errors": [{"field": f"customFields.{field.id}", "message": "Expected text."}],
            }
        ]
    }
    assert db_state() == before
    assert mailoutbox == []


def test_text_problems_deep_in_a_custom_field_value_are_listed_in_document_order(api, event_json):
    value = {"a": ["ok", "b\u0000"], "c\u0000": {"d": "e\u0000"}, "f": "g\u0000"}
    before = db_state()

    response = api.put_events([event_json(customFields={"5": value})])

    nul = "Must not contain NUL characters."
    assert_problem(
        response,
        400,
        errors=[
            {"field": "events[0].customFields.5.a[1]", "message": nul},
            {"field": "events[0].customFields.5", "message": nul},
            {"field": "events[0].customFields.5.c\u0000.d", "message": nul},
            {"field": "events[0].customFields.5.f", "message": nul},
        ],
    )
    assert db_state() == before
