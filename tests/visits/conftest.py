import datetime as dt
from typing import Any

import pytest

from apps.visits.sync import UNSET, AccessProfileInput, EventInput, InvitationInput, PersonInput
from tests.factories import EmployeeFactory, EntranceFactory, IntegrationFactory, LocationFactory

STARTS = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
ENDS = STARTS + dt.timedelta(hours=2)


def guest(source_id: Any = UNSET, **fields: Any) -> InvitationInput:
    defaults: dict[str, Any] = {}
    if source_id is not UNSET:
        defaults = {
            "email": f"{source_id}@example.org",
            "first_name": "Guest",
            "last_name": str(source_id).title(),
        }
    defaults.update(fields)
    if "access_profiles" in defaults and isinstance(defaults["access_profiles"], list):
        defaults["access_profiles"] = [
            p if isinstance(p, AccessProfileInput) else AccessProfileInput(*p)
            for p in defaults["access_profiles"]
        ]
    return InvitationInput(source_id=source_id, **defaults)


@pytest.fixture
def integration():
    return IntegrationFactory()


@pytest.fixture
def location():
    return LocationFactory()


@pytest.fixture
def entrance(location):
    return EntranceFactory(location=location)


@pytest.fixture
def make_event(location):
    """An EventInput with every required field; keyword arguments override or (as UNSET) remove fields."""

    def build(source_id: str = "meeting-1", **fields: Any) -> EventInput:
        values: dict[str, Any] = {
            "name": "Board meeting",
            "starts_at": STARTS,
            "ends_at": ENDS,
            "location_id": location.id,
            "host": PersonInput(email="ceo@example.com", first_name="Ada", last_name="Lovelace"),
        }
        values.update(fields)
        return EventInput(source_id=source_id, **values)

    return build


@pytest.fixture
def restricted_host(location):
    other = LocationFactory()
    employee = EmployeeFactory(email="restricted@example.com")
    employee.hosting_locations.set([other])
    return employee


def db_state() -> dict[str, list]:
    """Everything the engine may write, for asserting that a refused path changed nothing."""
    from apps.directory.models import AccessProfile, Employee
    from apps.notifications.models import OutboxMessage
    from apps.visits.models import AuditEntry, Contact, Event, Invitation

    return {
        "audit": list(AuditEntry.objects.order_by("id").values()),
        "events": list(Event.objects.order_by("id").values()),
        "invitations": list(Invitation.objects.order_by("id").values()),
        "contacts": list(Contact.objects.order_by("id").values()),
        "employees": list(Employee.objects.order_by("id").values()),
        "profiles": list(AccessProfile.objects.order_by("id").values()),
        "profile_links": list(Invitation.access_profiles.through.objects.order_by("id").values()),
        "outbox": list(OutboxMessage.objects.order_by("id").values()),
    }
