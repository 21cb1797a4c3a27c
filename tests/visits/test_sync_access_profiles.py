"""Access profiles on invitations: found or created by sourceId within an existing partition."""

import pytest

from apps.directory.models import AccessProfile
from apps.notifications.models import OutboxMessage
from apps.visits.models import Invitation
from apps.visits.sync import events_sync
from tests.factories import AccessPartitionFactory, AccessProfileFactory, acting
from tests.visits.conftest import db_state, guest
from tests.visits.wire import WireError, wire

pytestmark = pytest.mark.django_db


def profile_keys() -> list[tuple[int, str]]:
    return sorted(Invitation.objects.get().access_profiles.values_list("partition_id", "source_id"))


def test_known_profile_is_linked(integration, make_event):
    profile = AccessProfileFactory(source_id="visitors-floor-3")

    events_sync(
        actor=acting(integration),
        events=[
            make_event(
                invitations=[guest("g1", access_profiles=[(profile.partition_id, "visitors-floor-3")])]
            )
        ],
    )

    assert list(Invitation.objects.get().access_profiles.all()) == [profile]


def test_unseen_profile_is_created_in_its_partition(integration, make_event):
    partition = AccessPartitionFactory()

    events_sync(
        actor=acting(integration),
        events=[make_event(invitations=[guest("g1", access_profiles=[(partition.id, "lobby")])])],
    )

    assert list(AccessProfile.objects.values_list("partition_id", "source_id")) == [(partition.id, "lobby")]
    assert profile_keys() == [(partition.id, "lobby")]


def test_sent_list_replaces_the_profiles(integration, make_event):
    partition = AccessPartitionFactory()
    events_sync(
        actor=acting(integration),
        events=[
            make_event(invitations=[guest("g1", access_profiles=[(partition.id, "a"), (partition.id, "b")])])
        ],
    )
    OutboxMessage.objects.all().delete()

    [result] = events_sync(
        actor=acting(integration),
        events=[make_event(invitations=[guest("g1", access_profiles=[(partition.id, "c")])])],
    )

    assert (result.action, profile_keys(), OutboxMessage.objects.count()) == (
        "updated",
        [(partition.id, "c")],
        0,
    )


def test_absent_list_keeps_the_profiles(integration, make_event):
    partition = AccessPartitionFactory()
    events_sync(
        actor=acting(integration),
        events=[make_event(invitations=[guest("g1", access_profiles=[(partition.id, "a")])])],
    )

    events_sync(actor=acting(integration), events=[make_event(invitations=[guest("g1")])])

    assert profile_keys() == [(partition.id, "a")]


def test_unknown_partition_is_refused(integration, make_event):
    before = db_state()

    [result] = events_sync(
        actor=acting(integration),
        events=[make_event(invitations=[guest("g1", access_profiles=[(424242, "x")])])],
    )

    assert (result.status, wire(result)) == (
        "ERROR_ACCESS_PARTITION_NOT_FOUND",
        [WireError("invitations[0].accessProfiles[0].partitionId", "There is no access partition 424242.")],
    )
    assert db_state() == before
