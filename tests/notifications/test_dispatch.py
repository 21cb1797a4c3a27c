"""The after-commit hand-off: one broker call per chunk of messages, never one per message."""

import pytest
from django.db import transaction

from apps.notifications.services import DISPATCH_CHUNK_SIZE, outbox_dispatch_on_commit
from apps.notifications.tasks import outbox_messages_fan_out

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
