"""Events made in the portal itself are keyed like synced ones, and the database guarantees the key."""

import pytest
from django.db import IntegrityError, transaction

from apps.visits.models import Event
from apps.visits.services import portal_event_source_id_new
from apps.visits.sync import events_sync
from tests.factories import EventFactory, acting

pytestmark = pytest.mark.django_db


def test_two_portal_events_cannot_share_a_key():
    EventFactory(integration=None, source_id="portal-1")

    with pytest.raises(IntegrityError), transaction.atomic():
        EventFactory(integration=None, source_id="portal-1")

    assert Event.objects.filter(source_id="portal-1").count() == 1


def test_an_integration_may_use_a_key_the_portal_uses(integration):
    EventFactory(integration=None, source_id="shared-key")

    EventFactory(integration=integration, source_id="shared-key")

    assert Event.objects.filter(source_id="shared-key").count() == 2


def test_a_new_portal_key_is_unique_each_time():
    assert portal_event_source_id_new() != portal_event_source_id_new()


def test_the_engine_updates_a_portal_event_by_its_key_instead_of_adding_one(make_event):
    key = portal_event_source_id_new()

    events_sync(actor=acting(None), events=[make_event(key)])
    [result] = events_sync(actor=acting(None), events=[make_event(key, name="Renamed")])

    assert (result.action, list(Event.objects.values_list("source_id", "name"))) == (
        "updated",
        [(key, "Renamed")],
    )
