"""Every sync request is on record, and its changes carry its request id in the audit trail."""

import json

import pytest

from apps.integrations.models import SyncRequest
from apps.visits.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def event_json(location):
    def build(source_id, **fields):
        return {
            "sourceId": source_id,
            "name": "Board meeting",
            "startsAt": "2026-12-01T09:00:00+01:00",
            "endsAt": "2026-12-01T11:00:00+01:00",
            "locationId": location.id,
            "host": {"email": "ceo@example.com"},
            **fields,
        }

    return build


def test_a_sync_request_is_recorded_with_its_counts(api, event_json):
    api.put_events([event_json("a"), event_json("b"), event_json("c", locationId=None)])

    record = SyncRequest.objects.get()
    assert (record.integration, record.events_received, record.statuses, record.actions) == (
        api.integration,
        3,
        {"ERROR_VALIDATION": 1, "SUCCESS": 2},
        {"created": 2},
    )
    assert record.duration_ms >= 0


def body(api, *events) -> str:
    return json.dumps({"agentToken": str(api.integration.agent_token), "events": list(events)})


def test_the_clients_request_id_is_kept_and_echoed(api, event_json):
    response = api.put_raw(body(api, event_json("a")), HTTP_X_REQUEST_ID="trace-42")

    assert response["X-Request-ID"] == "trace-42"
    assert SyncRequest.objects.get().request_id == "trace-42"
    assert set(AuditEntry.objects.values_list("request_id", flat=True)) == {"trace-42"}


def test_a_request_without_a_usable_id_gets_one_that_ties_record_and_audit_together(api, event_json):
    response = api.put_raw(body(api, event_json("a")), HTTP_X_REQUEST_ID="not a token\\")

    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    assert SyncRequest.objects.get().request_id == request_id
    assert set(AuditEntry.objects.values_list("request_id", flat=True)) == {request_id}


def test_sync_requests_are_listed_read_only_in_the_admin(api, event_json, admin_client):
    api.put_events([event_json("a")])

    listing = admin_client.get("/admin/integrations/syncrequest/")
    record = SyncRequest.objects.get()

    assert listing.status_code == 200
    assert record.request_id in listing.content.decode()
    assert admin_client.get("/admin/integrations/syncrequest/add/").status_code == 403
    assert (
        admin_client.post(f"/admin/integrations/syncrequest/{record.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert SyncRequest.objects.count() == 1


def test_a_refused_request_is_not_recorded(api):
    api.put_raw("{not json")

    assert SyncRequest.objects.count() == 0
