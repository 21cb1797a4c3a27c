"""A check-in is never lost to a sync that read the guest before the check-in committed (PostgreSQL)."""

import threading

import pytest
from django.db import transaction
from django.utils import timezone

from apps.notifications.models import OutboxMessage
from apps.visits.models import AuditEntry, Invitation
from apps.visits.sync import engine, events_sync
from tests.factories import acting
from tests.threads import threads_run
from tests.visits.conftest import guest

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_check_in_committed_after_the_sync_read_the_guest_stays(integration, make_event, monkeypatch):
    events_sync(actor=acting(integration), events=[make_event(invitations=[guest("g1"), guest("g2")])])
    arriving = Invitation.objects.get(contact__source_id="g1")
    snapshot_taken, checked_in = threading.Event(), threading.Event()
    real_snapshot_load = engine.snapshot_load

    def snapshot_then_wait(**kwargs):
        snapshot = real_snapshot_load(**kwargs)
        snapshot_taken.set()
        assert checked_in.wait(timeout=10)
        return snapshot

    monkeypatch.setattr(engine, "snapshot_load", snapshot_then_wait)
    results = []

    def sync_dropping_the_arriving_guest(barrier) -> None:
        # A complete guest list without g1: the sync plans to cancel g1, who is still invited as it reads.
        results.extend(events_sync(actor=acting(integration), events=[make_event(invitations=[guest("g2")])]))

    def reception_checks_in(barrier) -> None:
        assert snapshot_taken.wait(timeout=10)
        with transaction.atomic():
            updated = Invitation.objects.filter(pk=arriving.pk, status="INVITED").update(
                status="CHECKED_IN", checked_in_at=timezone.now()
            )
        checked_in.set()
        assert updated == 1

    errors = threads_run(workers=[sync_dropping_the_arriving_guest, reception_checks_in])

    assert errors == []
    assert [(r.status, r.action) for r in results] == [("SUCCESS", "updated")]
    arriving.refresh_from_db()
    assert (arriving.status, arriving.cancelled_at) == ("CHECKED_IN", None)
    assert not OutboxMessage.objects.filter(invitation=arriving, kind="CANCELLATION").exists()
    assert not AuditEntry.objects.filter(invitation=arriving, action="removed").exists()
