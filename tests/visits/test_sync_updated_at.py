"""A newer updatedAt with nothing else new is no change: an event read and sent back stays unchanged."""

import datetime as dt

import pytest

from apps.visits.models import Event
from apps.visits.sync import events_sync
from tests.factories import acting
from tests.visits.conftest import db_state, guest

pytestmark = pytest.mark.django_db
SENT_AT = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)


def test_a_newer_updated_at_alone_changes_and_records_nothing(integration, make_event):
    events_sync(actor=acting(integration), events=[make_event(updated_at=SENT_AT, invitations=[guest("g1")])])
    before = db_state()

    [result] = events_sync(
        actor=acting(integration),
        events=[make_event(updated_at=SENT_AT + dt.timedelta(days=3), invitations=[guest("g1")])],
    )

    assert (result.status, result.action) == ("SUCCESS", "unchanged")
    assert db_state() == before


def test_a_real_change_with_a_newer_updated_at_records_it_for_the_out_of_order_guard(integration, make_event):
    events_sync(actor=acting(integration), events=[make_event(updated_at=SENT_AT)])
    later = SENT_AT + dt.timedelta(hours=1)

    events_sync(actor=acting(integration), events=[make_event(name="Renamed", updated_at=later)])
    [stale] = events_sync(actor=acting(integration), events=[make_event(name="Stale", updated_at=SENT_AT)])

    assert stale.action == "outdated"
    assert list(Event.objects.values_list("name", "source_updated_at")) == [("Renamed", later)]
