import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from apps.visits.models import Event
from apps.visits.sync import AccessProfileInput, EventInput, InvitationInput, PersonInput, events_sync
from tests.factories import (
    AccessPartitionFactory,
    CustomFieldFactory,
    IntegrationFactory,
    LocationFactory,
    acting,
)

# Services take `now`; the engine, which does not, writes its own times around this one.
NOW = timezone.now().replace(microsecond=0)


@pytest.fixture
def integration():
    return IntegrationFactory(name="Demo calendar")


@pytest.fixture
def location():
    return LocationFactory(name="Berlin HQ", timezone="Europe/Berlin")


@pytest.fixture
def plate():
    return CustomFieldFactory(name="Licence plate")


@pytest.fixture
def partition():
    return AccessPartitionFactory()


def person(source_id: str, email: str, first: str, last: str, **fields: Any) -> InvitationInput:
    fields.setdefault("company_name", "Acme")
    return InvitationInput(source_id=source_id, email=email, first_name=first, last_name=last, **fields)


def john_smith(plate, partition, *, profile: str = "lobby") -> InvitationInput:
    """The guest most tests follow: a licence plate and an access profile, both personal data to remove."""
    return person(
        "g1",
        "jsmith@example.com",
        "John",
        "Smith",
        custom_fields={str(plate.id): "B-XY 123"},
        access_profiles=[AccessProfileInput(partition.id, profile)],
    )


@pytest.fixture
def visit(integration, location):
    """Make (or re-send) an integration's event that ended `ended_days_ago` before NOW (the engine)."""

    def build(
        source_id: str,
        *,
        ended_days_ago: float,
        guests: list[InvitationInput],
        at_location=None,
        name: str = "Board meeting",
        **fields: Any,
    ) -> Event:
        ends = NOW - dt.timedelta(days=ended_days_ago)
        [result] = events_sync(
            actor=acting(integration),
            events=[
                EventInput(
                    source_id=source_id,
                    name=name,
                    starts_at=ends - dt.timedelta(hours=2),
                    ends_at=ends,
                    location_id=(at_location or location).id,
                    host=PersonInput(email="ada@example.com", first_name="Ada", last_name="Lovelace"),
                    invitations=guests,
                    **fields,
                )
            ],
        )
        assert result.ok, result.errors
        return Event.objects.get(pk=result.id)

    return build


@pytest.fixture
def other_location():
    return LocationFactory(name="Prague Office", timezone="Europe/Prague")
