import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from apps.reception.roles import LOCATION_ADMIN, RECEPTION, ROLES
from tests.factories import EmployeeFactory, EntranceFactory, EventFactory, InvitationFactory, LocationFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def role_group(role: str) -> Group:
    """The group the data migration made; made again after a transactional test flushed the tables."""
    group, created = Group.objects.get_or_create(name=role)
    if created:
        from django.contrib.auth.models import Permission

        group.permissions.set(
            [
                Permission.objects.get(content_type__app_label=app, codename=codename)
                for app, codename in ROLES[role]
            ]
        )
    return group


def staff_user(username: str, *, role: str | None, locations=(), superuser: bool = False):
    user = get_user_model().objects.create_user(
        username, password="pw", is_staff=True, is_superuser=superuser, first_name=username.title()
    )
    if role:
        user.groups.add(role_group(role))
    for location in locations:
        location.staff.add(user)
    return user


@pytest.fixture
def berlin():
    return LocationFactory(name="Berlin HQ", timezone="Europe/Berlin")


@pytest.fixture
def prague():
    return LocationFactory(name="Prague Office", timezone="Europe/Prague")


@pytest.fixture
def main_entrance(berlin):
    return EntranceFactory(location=berlin, name="Main entrance")


@pytest.fixture
def reception(berlin):
    return staff_user("rita", role=RECEPTION, locations=[berlin])


@pytest.fixture
def location_admin(berlin):
    return staff_user("leo", role=LOCATION_ADMIN, locations=[berlin])


@pytest.fixture
def superuser():
    return staff_user("root", role=None, superuser=True)


@pytest.fixture
def host():
    return EmployeeFactory(
        email="ada@example.com", first_name="Ada", last_name="Lovelace", phone_number="+49 30 1"
    )


def visit_now(location, **fields):
    """An event at the location that is on right now (started an hour ago, ends in an hour)."""
    now = timezone.now()
    defaults = {"starts_at": now - dt.timedelta(hours=1), "ends_at": now + dt.timedelta(hours=1)}
    defaults.update(fields)
    return EventFactory(location=location, **defaults)


@pytest.fixture
def berlin_guest(berlin, host, main_entrance):
    event = visit_now(berlin, name="Board meeting", host=host, entrance=main_entrance)
    return InvitationFactory(
        event=event, contact__first_name="Grace", contact__last_name="Hopper", contact__company_name="Navy"
    )


@pytest.fixture
def prague_guest(prague, host):
    event = visit_now(prague, name="Partner meeting", host=host)
    return InvitationFactory(
        event=event, contact__first_name="Tim", contact__last_name="Berners", contact__company_name="W3C"
    )
