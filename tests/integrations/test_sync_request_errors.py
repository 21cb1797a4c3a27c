"""PUT /events requests refused as a whole: 400 with every offending field, and 413."""

import json

import pytest

from tests.factories import EventFactory, InvitationFactory
from tests.integrations.conftest import assert_problem
from tests.visits.conftest import db_state

pytestmark = pytest.mark.django_db

REQUIRED = "This field is required."
STRING = "Expected a string."
INTEGER = "Expected an integer."
OBJECT = "Expected an object."
LIST = "Expected a list."
DATETIME = "Expected an ISO 8601 date-time with a UTC offset or Z, e.g. 2026-12-01T09:00:00+01:00."
FLAG = "Expected true, false, 1 or 0."
UUID = "Expected a UUID as 8-4-4-4-12 hex digits, e.g. 3c90c3cc-0d44-4b50-8888-8dd25736052a."


@pytest.fixture(autouse=True)
def existing_data(integration):
    """Something in the database, so that "nothing changed" means something."""
    event = EventFactory(integration=integration, source_id="meeting-456")
    InvitationFactory(event=event)


@pytest.fixture
def event_json(location):
    def build(**fields):
        return {
            "sourceId": "meeting-789",
            "name": "Board meeting",
            "startsAt": "2026-12-01T09:00:00+01:00",
            "endsAt": "2026-12-01T11:00:00+01:00",
            "locationId": location.id,
            "host": {"email": "ceo@example.com"},
            **fields,
        }

    return build


def test_body_that_is_not_json_is_400(api):
    before = db_state()

    response = api.put_raw(b'{"agentToken": ')

    assert_problem(
        response,
        400,
        errors=[
            {
                "field": "",
                "message": "The body is not valid JSON: Expecting value: line 1 column 16 (char 15).",
            }
        ],
    )
    assert db_state() == before


def test_empty_body_is_400(api):
    response = api.put_raw(b"")

    assert_problem(
        response,
        400,
        errors=[
            {"field": "", "message": "The body is not valid JSON: Expecting value: line 1 column 1 (char 0)."}
        ],
    )


def test_body_with_nan_is_400(api, integration):
    body = json.dumps(
        {"agentToken": str(integration.agent_token), "events": [{"sourceId": "a", "locationId": 0}]}
    )
    body = body.replace('"locationId": 0', '"locationId": NaN')

    assert_problem(api.put_raw(body), 400, errors=[{"field": "", "message": "The body is not valid JSON."}])


def test_body_that_is_not_utf8_is_400(api):
    assert_problem(
        api.put_raw(b'{"agentToken": "\xff"}'),
        400,
        errors=[{"field": "", "message": "The body is not valid JSON."}],
    )


def test_body_that_is_not_an_object_is_400(api, event_json):
    before = db_state()

    response = api.put_raw(json.dumps([event_json()]))

    assert_problem(
        response,
        400,
        errors=[{"field": "", "message": "The body must be a JSON object with `agentToken` and `events`."}],
    )
    assert db_state() == before


def test_missing_agent_token_is_400(api, event_json):
    before = db_state()

    response = api.put_raw(json.dumps({"events": [event_json()]}))

    body = assert_problem(response, 400, errors=[{"field": "agentToken", "message": REQUIRED}])
    assert body["detail"] == "The request is malformed; nothing was processed. See `errors`."
    assert db_state() == before


@pytest.mark.parametrize("token", ["not-a-uuid", 42, "3c90c3cc-0d44-4b50-8888"])
def test_agent_token_that_is_not_a_uuid_is_400(api, event_json, token):
    before = db_state()

    response = api.put_events([event_json()], agentToken=token)

    assert_problem(response, 400, errors=[{"field": "agentToken", "message": UUID}])
    assert db_state() == before


@pytest.mark.parametrize(
    "spelling",
    [
        pytest.param(lambda token: token.hex, id="no-dashes"),
        pytest.param(lambda token: f"{{{token}}}", id="braces"),
        pytest.param(lambda token: f"urn:uuid:{token}", id="urn"),
        pytest.param(lambda token: f" {token}", id="leading-space"),
        pytest.param(lambda token: f"{token}\n", id="trailing-newline"),
    ],
)
def test_agent_token_in_a_non_canonical_spelling_is_400(api, integration, event_json, mailoutbox, spelling):
    before = db_state()

    response = api.put_events([event_json()], agentToken=spelling(integration.agent_token))

    assert_problem(response, 400, errors=[{"field": "agentToken", "message": UUID}])
    assert db_state() == before
    assert mailoutbox == []


def test_agent_token_in_upper_case_is_accepted(api, integration, event_json):
    response = api.put_events([event_json()], agentToken=str(integration.agent_token).upper())

    assert response.status_code == 200
    assert [(item["sourceId"], item["status"], item["action"]) for item in response.json()["events"]] == [
        ("meeting-789", "SUCCESS", "created")
    ]


def test_missing_events_is_400(api, integration):
    response = api.put_raw(json.dumps({"agentToken": str(integration.agent_token)}))

    assert_problem(response, 400, errors=[{"field": "events", "message": REQUIRED}])


@pytest.mark.parametrize("events", [{"sourceId": "a"}, "meeting-456", None])
def test_events_that_is_not_a_list_is_400(api, events):
    expected = REQUIRED if events is None else LIST

    response = api.put_events(events)

    assert_problem(response, 400, errors=[{"field": "events", "message": expected}])


def test_empty_events_is_400(api):
    before = db_state()

    response = api.put_events([])

    assert_problem(response, 400, errors=[{"field": "events", "message": "Send at least one event."}])
    assert db_state() == before


def test_event_that_is_not_an_object_is_400_and_the_good_ones_are_not_processed(api, event_json):
    before = db_state()

    response = api.put_events([event_json(), "meeting-2", [1]])

    assert_problem(
        response,
        400,
        errors=[{"field": "events[1]", "message": OBJECT}, {"field": "events[2]", "message": OBJECT}],
    )
    assert db_state() == before


def test_invitation_that_is_not_an_object_is_400(api, event_json):
    before = db_state()

    response = api.put_events([event_json(invitations=[{"email": "a@example.org"}, "b@example.org"])])

    assert_problem(response, 400, errors=[{"field": "events[0].invitations[1]", "message": OBJECT}])
    assert db_state() == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("sourceId", 456, STRING),
        ("name", ["Board meeting"], STRING),
        ("description", False, STRING),
        ("locationId", "1", INTEGER),
        ("locationId", 1.0, INTEGER),
        ("locationId", True, INTEGER),
        ("entranceId", {"id": 2}, INTEGER),
        ("host", "ceo@example.com", OBJECT),
        ("creator", ["assistant@example.com"], OBJECT),
        ("invitations", {"sourceId": "guest-101"}, LIST),
        ("customFields", [["5", "x"]], OBJECT),
        ("startsAt", 1796112000, DATETIME),
    ],
)
def test_event_field_of_the_wrong_json_type_is_400(api, event_json, field, value, message):
    before = db_state()

    response = api.put_events([event_json(**{field: value})])

    assert_problem(response, 400, errors=[{"field": f"events[0].{field}", "message": message}])
    assert db_state() == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", 101, STRING),
        ("firstName", ["John"], STRING),
        ("language", 1, STRING),
        ("customFields", "B-XY 123", OBJECT),
        ("accessProfiles", {"partitionId": 1, "sourceId": "v"}, LIST),
        ("deletedAt", "yesterday", DATETIME),
    ],
)
def test_invitation_field_of_the_wrong_json_type_is_400(api, event_json, field, value, message):
    response = api.put_events([event_json(invitations=[{"sourceId": "guest-101", field: value}])])

    assert_problem(response, 400, errors=[{"field": f"events[0].invitations[0].{field}", "message": message}])


@pytest.mark.parametrize(("field", "value"), [("email", 7), ("phoneNumber", 4930123456)])
def test_host_field_of_the_wrong_json_type_is_400(api, event_json, field, value):
    response = api.put_events([event_json(host={"email": "ceo@example.com", field: value})])

    assert_problem(response, 400, errors=[{"field": f"events[0].host.{field}", "message": STRING}])


def test_access_profile_that_is_not_an_object_or_lacks_keys_is_400(api, event_json):
    profiles = [
        "visitors",
        {"sourceId": "floor-3"},
        {"partitionId": None, "sourceId": "x"},
        {"partitionId": "1"},
    ]

    response = api.put_events(
        [event_json(invitations=[{"sourceId": "guest-101", "accessProfiles": profiles}])]
    )

    path = "events[0].invitations[0].accessProfiles"
    assert_problem(
        response,
        400,
        errors=[
            {"field": f"{path}[0]", "message": OBJECT},
            {"field": f"{path}[1].partitionId", "message": REQUIRED},
            {"field": f"{path}[2].partitionId", "message": REQUIRED},
            {"field": f"{path}[3].partitionId", "message": INTEGER},
            {"field": f"{path}[3].sourceId", "message": REQUIRED},
        ],
    )


def test_id_beyond_64_bits_is_400(api, event_json):
    response = api.put_events([event_json(locationId=2**63)])

    assert_problem(
        response,
        400,
        errors=[
            {
                "field": "events[0].locationId",
                "message": "Expected an integer between -9223372036854775807 and 9223372036854775807.",
            }
        ],
    )


@pytest.mark.parametrize(
    "value",
    [
        "2026-12-01T09:00:00",  # no offset
        "2026-12-01",  # a date alone
        "2026-12-01T25:00:00Z",
        "01.12.2026 09:00 +01:00",
        "0001-01-01T00:00:00+01:00",  # before the first instant there is
        "",
    ],
)
def test_date_time_without_offset_or_not_iso_8601_is_400(api, event_json, value):
    before = db_state()

    response = api.put_events([event_json(startsAt=value)])

    assert_problem(response, 400, errors=[{"field": "events[0].startsAt", "message": DATETIME}])
    assert db_state() == before


@pytest.mark.parametrize(
    "value", ["2026-12-01T08:00:00Z", "2026-12-01t08:00:00z", "2026-12-01T09:00:00.000+01:00"]
)
def test_date_time_with_offset_or_z_is_accepted(api, event_json, value):
    response = api.put_events([event_json(startsAt=value, endsAt="2026-12-01T11:00:00Z")])

    assert response.json()["events"][0]["status"] == "SUCCESS"


@pytest.mark.parametrize("text", ["Board\u0000meeting", "Board \ud800 meeting"])
def test_text_the_database_cannot_store_is_400(api, event_json, text):
    before = db_state()

    response = api.put_events([event_json(name=text)])

    body = assert_problem(response, 400)
    assert [error["field"] for error in body["errors"]] == ["events[0].name"]
    assert db_state() == before


def test_nul_inside_a_custom_field_value_is_400(api, event_json):
    response = api.put_events([event_json(customFields={"5": "a\u0000b"})])

    assert_problem(
        response,
        400,
        errors=[{"field": "events[0].customFields.5", "message": "Must not contain NUL characters."}],
    )


@pytest.mark.parametrize("flag", ["yes", "True", "", "2"])
def test_bad_ignore_missing_invitations_is_400(api, event_json, flag):
    before = db_state()

    response = api.put_events([event_json()], query=f"?ignoreMissingInvitations={flag}")

    assert_problem(response, 400, errors=[{"field": "ignoreMissingInvitations", "message": FLAG}])
    assert db_state() == before


@pytest.mark.parametrize("flag", ["true", "false", "1", "0"])
def test_accepted_ignore_missing_invitations_values_are_processed(api, event_json, flag):
    response = api.put_events([event_json()], query=f"?ignoreMissingInvitations={flag}")

    assert response.status_code == 200
    assert response.json()["events"][0]["action"] == "created"


def test_every_offending_field_is_listed_at_once(api, event_json):
    before = db_state()
    events = [
        event_json(startsAt="2026-12-01T09:00:00", locationId="one"),
        event_json(sourceId="meeting-2"),
        event_json(sourceId=3, invitations=[{"email": None, "lastName": 5}, 7]),
    ]

    response = api.put_events(events, query="?ignoreMissingInvitations=maybe", agentToken="nope")

    assert_problem(
        response,
        400,
        errors=[
            {"field": "ignoreMissingInvitations", "message": FLAG},
            {"field": "agentToken", "message": UUID},
            {"field": "events[0].startsAt", "message": DATETIME},
            {"field": "events[0].locationId", "message": INTEGER},
            {"field": "events[2].sourceId", "message": STRING},
            {"field": "events[2].invitations[0].lastName", "message": STRING},
            {"field": "events[2].invitations[1]", "message": OBJECT},
        ],
    )
    assert db_state() == before


def test_more_events_than_the_maximum_is_413(api, event_json, settings):
    settings.SYNC_MAX_EVENTS = 2
    before = db_state()

    response = api.put_events([event_json(sourceId=f"m-{i}") for i in range(3)])

    body = assert_problem(
        response, 413, errors=[{"field": "events", "message": "Send at most 2 events per request."}]
    )
    assert body["detail"] == "A request may carry at most 2 events; this one has 3."
    assert db_state() == before


def test_exactly_the_maximum_number_of_events_is_processed(api, event_json, settings):
    settings.SYNC_MAX_EVENTS = 2

    response = api.put_events([event_json(sourceId=f"m-{i}") for i in range(2)])

    assert [result["action"] for result in response.json()["events"]] == ["created", "created"]


def test_body_over_the_size_limit_is_413(api, event_json, settings):
    settings.SYNC_MAX_BODY_BYTES = settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 300
    body = json.dumps(
        {"agentToken": str(api.integration.agent_token), "events": [event_json(description="x" * 300)]}
    )
    before = db_state()

    response = api.put_raw(body)

    assert assert_problem(response, 413, errors=[])["detail"] == (
        "The request body is larger than the 300 bytes this server accepts."
    )
    assert db_state() == before


def test_body_over_djangos_upload_limit_is_413(api, event_json, settings):
    # Django's own limit is enforced while reading; it must also end as a 413 problem, not a 400 page.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 300

    response = api.put_events([event_json(description="x" * 300)])

    assert assert_problem(response, 413)["detail"] == (
        "The request body is larger than the 300 bytes this server accepts."
    )
