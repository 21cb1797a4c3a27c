"""An event read with GET and sent back unchanged is a valid request that changes nothing (#13).

The schema checker in conftest.py validates both the GET answers and the PUT requests; here the server
must also agree that nothing changed. Absent optional texts read back as "" and are accepted as "".
"""

from typing import Any

import pytest

from apps.directory.models import CustomField
from tests.factories import AccessPartitionFactory, CustomFieldFactory, EntranceFactory
from tests.integrations.conftest import EVENTS_URL, ApiClient, spec_example_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_event(location) -> dict[str, Any]:
    return spec_example_event(
        location_id=location.id,
        entrance_id=EntranceFactory(location=location).id,
        event_field_id=CustomFieldFactory(scope=CustomField.Scope.EVENT).id,
        invitation_field_id=CustomFieldFactory(scope=CustomField.Scope.INVITATION).id,
        partition_id=AccessPartitionFactory().id,
    )


def _minimal(location_id: int) -> dict[str, Any]:
    return {
        "sourceId": "minimal",
        "name": "Walk-through",
        "startsAt": "2026-12-01T09:00:00Z",
        "endsAt": "2026-12-01T10:00:00Z",
        "locationId": location_id,
        "host": {"email": "host@example.com"},
    }


def _shapes(full: dict[str, Any], location_id: int) -> dict[str, list[dict[str, Any]]]:
    """Each shape as the list of syncs that make it."""
    guest_only_email = {"email": "guest@example.com"}
    return {
        "minimal": [_minimal(location_id)],
        "minimal with a bare guest": [{**_minimal(location_id), "invitations": [guest_only_email]}],
        "full": [full],
        "cleared fields": [
            full,
            {"sourceId": full["sourceId"], "description": None, "creator": None, "entranceId": None},
        ],
        "removed guest": [
            full,
            {
                "sourceId": full["sourceId"],
                "invitations": [{**full["invitations"][0], "deletedAt": "2026-11-21T10:00:00Z"}],
            },
        ],
        "cancelled": [full, {"sourceId": full["sourceId"], "deletedAt": "2026-11-22T10:00:00Z"}],
    }


@pytest.mark.parametrize(
    "shape", ["minimal", "minimal with a bare guest", "full", "cleared fields", "removed guest", "cancelled"]
)
def test_event_read_and_sent_back_is_unchanged(api: ApiClient, full_event, location, shape):
    for sync in _shapes(full_event, location.id)[shape]:
        assert api.put_events([sync]).json()["events"][0]["status"] == "SUCCESS"
    source_id = _shapes(full_event, location.id)[shape][0]["sourceId"]
    read = api.get(f"{EVENTS_URL}/{source_id}").json()

    # Sent back exactly as read: its `updatedAt` (the portal's last change) is newer than the event's
    # `sourceUpdatedAt`, which the out-of-order guard remembers, but nothing anyone reads changes.
    response = api.put_events([read])

    assert response.json()["events"][0] | {"id": None} == {
        "sourceId": source_id,
        "status": "SUCCESS",
        "id": None,
        "action": "unchanged",
        "errors": [],
    }
    assert api.get(f"{EVENTS_URL}/{source_id}").json() == read


def test_absent_optional_texts_read_back_as_empty_strings(api: ApiClient, location):
    api.put_events([{**_minimal(location.id), "invitations": [{"email": "guest@example.com"}]}])

    read = api.get(f"{EVENTS_URL}/minimal").json()

    assert (read["description"], read["host"]["firstName"], read["host"]["phoneNumber"]) == ("", "", "")
    assert (read["invitations"][0]["firstName"], read["invitations"][0]["companyName"]) == ("", "")
