"""The after-commit hand-off: one broker call per chunk of messages, never one per message."""

import pytest
from django.db import transaction
from kombu.exceptions import OperationalError

from apps.notifications.models import OutboxMessage
from apps.notifications.services import DISPATCH_CHUNK_SIZE, outbox_dispatch_on_commit
from apps.notifications.tasks import outbox_messages_fan_out
from apps.visits.models import Event
from tests.factories import IntegrationFactory, LocationFactory
from tests.integrations.conftest import ApiClient

pytestmark = pytest.mark.django_db


def test_messages_are_handed_over_in_chunks_after_commit(monkeypatch, django_capture_on_commit_callbacks):
    handed: list[list[int]] = []
    monkeypatch.setattr(outbox_messages_fan_out, "delay", lambda *, message_ids: handed.append(message_ids))
    ids = list(range(1, 2 * DISPATCH_CHUNK_SIZE + 2))

    with django_capture_on_commit_callbacks(execute=True):
        outbox_dispatch_on_commit(message_ids=ids)
        assert handed == []  # nothing before commit

    assert [len(chunk) for chunk in handed] == [DISPATCH_CHUNK_SIZE, DISPATCH_CHUNK_SIZE, 1]
    assert [i for chunk in handed for i in chunk] == ids


def test_rolled_back_change_hands_over_nothing(monkeypatch):
    handed: list[list[int]] = []
    monkeypatch.setattr(outbox_messages_fan_out, "delay", lambda *, message_ids: handed.append(message_ids))

    with pytest.raises(RuntimeError), transaction.atomic():
        outbox_dispatch_on_commit(message_ids=[1, 2])
        raise RuntimeError("rolled back")

    assert handed == []


@pytest.mark.django_db(transaction=True)
def test_broker_down_after_commit_still_answers_200_and_leaves_the_rows_pending(
    monkeypatch, caplog, mailoutbox
):
    def broker_down(*, message_ids: list[int]) -> None:
        raise OperationalError("[Errno 111] Connection refused")

    monkeypatch.setattr(outbox_messages_fan_out, "delay", broker_down)
    integration = IntegrationFactory()
    location = LocationFactory()
    event = {
        "sourceId": "meeting-456",
        "name": "Board meeting",
        "startsAt": "2030-12-03T09:00:00+01:00",
        "endsAt": "2030-12-03T11:00:00+01:00",
        "locationId": location.id,
        "host": {"email": "ada@example.com"},
        "invitations": [{"sourceId": "guest-101", "email": "grace@example.org"}],
    }

    response = ApiClient(integration).put_events([event])

    created = Event.objects.get()
    assert response.status_code == 200
    assert response.json()["events"] == [
        {"sourceId": "meeting-456", "status": "SUCCESS", "id": created.id, "action": "created", "errors": []}
    ]
    assert sorted(OutboxMessage.objects.values_list("kind", "status")) == [
        ("HOST_SUMMARY", "PENDING"),
        ("INVITATION", "PENDING"),
    ]
    assert mailoutbox == []
    [record] = [r for r in caplog.records if r.name == "apps.notifications.services"]
    assert (record.levelname, record.getMessage(), str(record.exc_info[1])) == (
        "ERROR",
        "Could not hand 2 outbox message(s) to the broker; the relay will hand them over later.",
        "[Errno 111] Connection refused",
    )
