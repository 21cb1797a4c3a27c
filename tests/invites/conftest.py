import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from apps.directory.models import Employee
from apps.visits.actors import Actor, Door
from apps.visits.models import Event
from apps.visits.services import portal_event_source_id_new
from apps.visits.sync import EventInput, InvitationInput, PersonInput, events_sync
from tests.factories import EmployeeFactory, EntranceFactory, LocationFactory

PASSWORD = "correct horse battery staple"


def user_with_employee(username: str, **employee: Any) -> tuple[Any, Employee]:
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    return user, EmployeeFactory(user=user, **employee)


def employee_with_login(username: str, **employee: Any) -> Employee:
    """An employee whose login (password PASSWORD) the tests reach as `employee.login`."""
    user, employee = user_with_employee(username, **employee)
    employee.login = user
    return employee


@pytest.fixture
def berlin():
    location = LocationFactory(
        name="Berlin HQ", timezone="Europe/Berlin", address="Friedrichstraße 68\n10117 Berlin"
    )
    EntranceFactory(location=location, name="Main entrance")
    return location


@pytest.fixture
def prague():
    location = LocationFactory(name="Prague Office", timezone="Europe/Prague")
    EntranceFactory(location=location, name="Reception, 2nd floor")
    return location


@pytest.fixture
def anna():
    """An employee with a login: the one using the portal in these tests."""
    return employee_with_login(
        "anna", email="anna.schmidt@example.com", first_name="Anna", last_name="Schmidt"
    )


@pytest.fixture
def jan():
    """Another employee with a login."""
    return employee_with_login("jan", email="jan.novak@example.com", first_name="Jan", last_name="Novák")


@pytest.fixture
def anna_client(client, anna):
    client.force_login(anna.login)
    return client


def next_week_at(hour: int, zone: str = "Europe/Berlin") -> dt.datetime:
    import zoneinfo

    day = (timezone.now() + dt.timedelta(days=7)).astimezone(zoneinfo.ZoneInfo(zone)).date()
    return dt.datetime.combine(day, dt.time(hour), tzinfo=zoneinfo.ZoneInfo(zone))


def portal_visit(
    *,
    host: Employee,
    location,
    guests: list[dict[str, str]] = (),
    name: str = "Board meeting",
    starts_at: dt.datetime | None = None,
    hours: int = 2,
) -> Event:
    """A visit made in the portal by `host` (through the engine, as the form does)."""
    starts = starts_at or next_week_at(9, location.timezone)
    [result] = events_sync(
        actor=Actor.of_user(host.user, door=Door.PORTAL),
        events=[
            EventInput(
                source_id=portal_event_source_id_new(),
                name=name,
                starts_at=starts,
                ends_at=starts + dt.timedelta(hours=hours),
                location_id=location.pk,
                host=PersonInput(email=host.email),
                creator=PersonInput(email=host.email),
                invitations=[InvitationInput(language="EN", **g) for g in guests],
            )
        ],
    )
    assert result.ok, result.errors
    return Event.objects.get(pk=result.id)
