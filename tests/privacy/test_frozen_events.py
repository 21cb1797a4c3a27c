"""An anonymised event is read-only for integrations: a re-send never brings a guest's data back."""

import pytest

from apps.integrations.api.sync_results import sync_results_render
from apps.notifications.models import OutboxMessage
from apps.privacy.services import retention_apply
from apps.visits.actors import Actor
from apps.visits.models import Contact, Event
from apps.visits.sync import EventInput, PersonInput, events_sync
from tests.factories import acting
from tests.privacy.conftest import NOW, person
from tests.visits.conftest import db_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def anonymised(visit, settings):
    settings.GUEST_RETENTION_DAYS = 30
    event = visit("old", ended_days_ago=40, guests=[person("g1", "jsmith@example.com", "John", "Smith")])
    retention_apply(actor=Actor.of_system("retention"), now=NOW)
    return Event.objects.get(pk=event.pk)


def resend(event: Event, **fields) -> EventInput:
    values = {
        "name": "Board meeting",
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "location_id": event.location_id,
        "host": PersonInput(email="ada@example.com", first_name="Ada", last_name="Lovelace"),
        "invitations": [person("g1", "jsmith@example.com", "John", "Smith")],
    }
    return EventInput(source_id="old", **(values | fields))


def test_resend_answers_event_anonymised_and_changes_and_sends_nothing(anonymised, integration):
    before = db_state()
    messages = OutboxMessage.objects.count()

    [result] = events_sync(actor=acting(integration), events=[resend(anonymised)])

    assert (result.status, result.action, result.id) == ("ERROR_EVENT_ANONYMISED", None, anonymised.pk)
    assert db_state() == before
    assert OutboxMessage.objects.count() == messages
    assert not Contact.objects.filter(email="jsmith@example.com").exists()


def test_anonymised_comes_ahead_of_validation_errors(anonymised, integration):
    [result] = events_sync(
        actor=acting(integration), events=[resend(anonymised, name="", ends_at=anonymised.starts_at)]
    )

    assert result.status == "ERROR_EVENT_ANONYMISED"
    assert [error.code for error in result.errors] == ["event_anonymised"]


def test_anonymised_comes_ahead_of_outdated(anonymised, integration):
    Event.objects.filter(pk=anonymised.pk).update(source_updated_at=NOW)
    import datetime as dt

    [result] = events_sync(
        actor=acting(integration), events=[resend(anonymised, updated_at=NOW - dt.timedelta(days=1))]
    )

    assert result.status == "ERROR_EVENT_ANONYMISED"


def test_deleting_an_anonymised_event_cancels_it_not(anonymised, integration):
    [result] = events_sync(actor=acting(integration), events=[resend(anonymised, deleted_at=NOW)])

    assert result.status == "ERROR_EVENT_ANONYMISED"
    assert Event.objects.get(pk=anonymised.pk).status == Event.Status.ACTIVE


def test_deleting_an_already_cancelled_anonymised_event_stays_unchanged(anonymised, integration):
    Event.objects.filter(pk=anonymised.pk).update(status=Event.Status.CANCELLED, cancelled_at=NOW)
    before = db_state()

    [result] = events_sync(actor=acting(integration), events=[resend(anonymised, deleted_at=NOW)])

    assert (result.status, result.action) == ("SUCCESS", "unchanged")
    assert db_state() == before


def test_api_words_the_error_on_the_wire(anonymised, integration):
    results = events_sync(actor=acting(integration), events=[resend(anonymised)])

    assert sync_results_render(results) == {
        "events": [
            {
                "sourceId": "old",
                "status": "ERROR_EVENT_ANONYMISED",
                "id": anonymised.pk,
                "action": None,
                "errors": [
                    {
                        "field": "sourceId",
                        "message": "This event's guest data was erased after its location's retention "
                        "period; the event is read-only.",
                    }
                ],
            }
        ]
    }
