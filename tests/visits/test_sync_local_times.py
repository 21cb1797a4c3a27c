"""A time that cannot be shown in the location's time zone is refused: it could never be delivered."""

import datetime as dt

import pytest

from apps.notifications.emails import outbox_message_compose
from apps.notifications.models import OutboxMessage
from apps.visits.sync import ErrorCode, events_sync
from tests.factories import LocationFactory, acting
from tests.visits.conftest import db_state, guest

pytestmark = pytest.mark.django_db
LAST_EVENING = dt.datetime(9999, 12, 31, 22, 0, tzinfo=dt.UTC)


@pytest.fixture
def berlin():
    return LocationFactory(timezone="Europe/Berlin")


def test_an_event_past_the_last_representable_local_time_is_refused(integration, make_event, berlin):
    before = db_state()

    [result] = events_sync(
        actor=acting(integration),
        events=[
            make_event(
                location_id=berlin.id,
                starts_at=LAST_EVENING,
                ends_at=LAST_EVENING + dt.timedelta(hours=1),
                invitations=[guest("g1")],
            )
        ],
    )

    assert (result.status, [(e.code, e.path) for e in result.errors]) == (
        "ERROR_VALIDATION",
        [(ErrorCode.UNREPRESENTABLE_TIME, ("ends_at",))],
    )
    assert db_state() == before


def test_an_event_at_the_edge_of_the_calendar_is_accepted_and_its_emails_compose(
    integration, make_event, berlin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        [result] = events_sync(
            actor=acting(integration),
            events=[
                make_event(
                    location_id=berlin.id,
                    starts_at=LAST_EVENING - dt.timedelta(hours=2),
                    ends_at=LAST_EVENING - dt.timedelta(hours=1),
                    invitations=[guest("g1")],
                )
            ],
        )

    assert result.status == "SUCCESS"
    for message in OutboxMessage.objects.all():
        mail = outbox_message_compose(message=message)
        assert "9999" in mail.subject
