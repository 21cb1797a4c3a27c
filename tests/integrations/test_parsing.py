"""The hand-written parser: JSON body to the engine's typed inputs (absent → UNSET, null → None)."""

import datetime as dt
import json
import uuid

import pytest

from apps.integrations.api.errors import ProblemError
from apps.integrations.api.parsing import SyncRequest, sync_request_parse
from apps.visits.sync import UNSET, AccessProfileInput, EventInput, InvitationInput, PersonInput
from tests.integrations.conftest import spec_example_event

AGENT = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
# The spec's own example ids.
SPEC_EVENT = spec_example_event(
    location_id=1, entrance_id=2, event_field_id=5, invitation_field_id=7, partition_id=1
)


def parse(events, query=None, max_events=1000):
    body = json.dumps({"agentToken": AGENT, "events": events}).encode()
    return sync_request_parse(body=body, query=query or {}, max_events=max_events)


def test_the_spec_example_becomes_typed_inputs():
    parsed = parse([SPEC_EVENT])

    assert parsed == SyncRequest(
        agent_token=uuid.UUID(AGENT),
        ignore_missing_invitations=False,
        events=[
            EventInput(
                source_id="meeting-456",
                name="Board meeting",
                description="Quarterly review",
                starts_at=dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC),
                ends_at=dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC),
                location_id=1,
                entrance_id=2,
                host=PersonInput(
                    email="ceo@example.com",
                    first_name="Ada",
                    last_name="Lovelace",
                    phone_number="+4930123456",
                ),
                creator=PersonInput(email="assistant@example.com", first_name="Bob", last_name="Baker"),
                invitations=[
                    InvitationInput(
                        source_id="guest-101",
                        email="jsmith@example.com",
                        first_name="John",
                        last_name="Smith",
                        company_name="Acme",
                        language="EN",
                        custom_fields={"7": "B-XY 123"},
                        access_profiles=[AccessProfileInput(partition_id=1, source_id="visitors-floor-3")],
                        deleted_at=None,
                    )
                ],
                custom_fields={"5": "Security clearance required"},
                updated_at=dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC),
                deleted_at=None,
            )
        ],
    )


def test_absent_keys_stay_unset():
    [event] = parse([{"sourceId": "meeting-456", "invitations": [{}]}]).events

    assert event == EventInput(source_id="meeting-456", invitations=[InvitationInput()])
    assert (event.name, event.host, event.custom_fields, event.invitations[0].email) == (
        UNSET,
        UNSET,
        UNSET,
        UNSET,
    )


def test_null_becomes_none():
    keys = ["name", "description", "startsAt", "locationId", "entranceId", "host", "creator", "invitations"]
    [event] = parse([{"sourceId": "meeting-456", **dict.fromkeys(keys), "customFields": {"5": None}}]).events

    assert event == EventInput(
        source_id="meeting-456",
        name=None,
        description=None,
        starts_at=None,
        location_id=None,
        entrance_id=None,
        host=None,
        creator=None,
        invitations=None,
        custom_fields={"5": None},
    )


def test_unknown_keys_are_ignored():
    [event] = parse([{"sourceId": "meeting-456", "color": "red"}]).events

    assert event == EventInput(source_id="meeting-456")


@pytest.mark.parametrize(("flag", "expected"), [("true", True), ("1", True), ("false", False), ("0", False)])
def test_ignore_missing_invitations_flag(flag, expected):
    assert (
        parse([{"sourceId": "a"}], query={"ignoreMissingInvitations": flag}).ignore_missing_invitations
        is expected
    )


def test_too_many_events_is_refused_before_looking_at_them():
    with pytest.raises(ProblemError) as refused:
        parse(["not even an object"] * 3, max_events=2)

    assert refused.value.status_code == 413
