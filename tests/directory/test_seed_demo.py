import datetime as dt
import io
import json
import os
import subprocess
import sys
import zoneinfo
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.utils import timezone

from apps.directory.management.commands import seed_demo as seed_demo_command
from apps.directory.models import AccessPartition, AccessProfile, CustomField, Employee, Entrance, Location
from apps.integrations.models import Integration
from apps.integrations.selectors import integration_get_by_token
from apps.reception.roles import RECEPTION_PERMISSIONS
from apps.visits.models import Event, Invitation

pytestmark = pytest.mark.django_db

SEEDED_MODELS = [
    Location,
    Entrance,
    Employee,
    CustomField,
    AccessPartition,
    AccessProfile,
    Integration,
    Group,
    get_user_model(),
]


def seed_demo() -> dict[str, Any]:
    out = io.StringIO()
    # Tests run with DEBUG off, where the command refuses unless forced.
    call_command("seed_demo", force=True, stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue().strip().splitlines()[-1])


def authenticate(*, username: str, password: str):
    """The user if the password is theirs (login throttling wants a request for `authenticate`)."""
    user = get_user_model().objects.filter(username=username).first()
    return user if user is not None and user.check_password(password) else None


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in SEEDED_MODELS}


REFUSAL = (
    "DEBUG is off, so this may be a live portal: seed_demo creates logins with published passwords "
    "(superuser 'demo-admin'). Nothing was changed. Run it with DEBUG on, or pass --force on a portal "
    "that is only a demo."
)


def test_refuses_with_debug_off_and_creates_nothing(settings) -> None:
    settings.DEBUG = False
    out = io.StringIO()

    with pytest.raises(CommandError) as refused:
        call_command("seed_demo", stdout=out, stderr=io.StringIO())

    assert str(refused.value) == REFUSAL
    assert out.getvalue() == ""
    # The staff groups (Reception, Location admin, Super admin) come from migrations, not from the command.
    assert row_counts() == {**dict.fromkeys(row_counts(), 0), "Group": 3}
    assert Event.objects.count() == 0


def test_refusal_exits_non_zero_from_the_command_line(settings) -> None:
    # A process of its own: the command line closes every database connection when it ends, which
    # in-process would close the test's own. Its in-memory database has no tables, so any attempt to
    # write would fail with another message.
    env = {**os.environ, "DEBUG": "0", "DATABASE_URL": "sqlite://:memory:", "CELERY_BROKER_URL": ""}

    result = subprocess.run(
        [sys.executable, "manage.py", "seed_demo"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert (result.returncode, result.stdout, result.stderr) == (1, "", f"CommandError: {REFUSAL}\n")


def test_force_seeds_with_debug_off(settings) -> None:
    settings.DEBUG = False

    printed = seed_demo()

    assert authenticate(username="demo-admin", password="demo-admin-pass") is not None
    assert printed["admin"] == {"username": "demo-admin", "password": "demo-admin-pass"}


def test_seeds_without_force_when_debug_is_on(settings) -> None:
    settings.DEBUG = True
    out = io.StringIO()

    call_command("seed_demo", stdout=out, stderr=io.StringIO())

    assert json.loads(out.getvalue().strip().splitlines()[-1])["admin"]["username"] == "demo-admin"
    assert row_counts()["User"] == 4


def test_second_run_creates_no_further_rows() -> None:
    seed_demo()
    first = row_counts()

    seed_demo()

    assert row_counts() == first
    assert first == {
        "Location": 2,
        "Entrance": 3,
        "Employee": 4,
        "CustomField": 7,
        "AccessPartition": 1,
        "AccessProfile": 3,
        "Integration": 1,
        "Group": 3,
        "User": 4,
    }


def test_printed_token_authenticates_as_the_demo_integration() -> None:
    seed_demo()
    printed = seed_demo()

    integration = integration_get_by_token(token=printed["token"])

    assert integration is not None
    assert integration.name == "Demo calendar"
    assert str(integration.agent_token) == printed["agentToken"]


def test_each_run_rotates_the_token() -> None:
    first = seed_demo()
    second = seed_demo()

    assert integration_get_by_token(token=first["token"]) is None
    assert second["agentToken"] == first["agentToken"]


def test_run_reactivates_a_deactivated_demo_integration() -> None:
    seed_demo()
    Integration.objects.update(is_active=False)

    printed = seed_demo()

    assert integration_get_by_token(token=printed["token"]) is not None


def test_run_reactivates_through_the_activate_service(monkeypatch) -> None:
    seed_demo()
    Integration.objects.update(is_active=False)
    activated: list[str] = []
    monkeypatch.setattr(
        seed_demo_command,
        "integration_activate",
        lambda *, integration: activated.append(integration.name),
    )

    seed_demo()

    assert activated == ["Demo calendar"]


def test_restricted_host_may_host_at_the_allowed_location_only() -> None:
    printed = seed_demo()["restrictedHost"]

    host = Employee.objects.get(email=printed["email"])

    assert host.is_active
    assert list(host.hosting_locations.values_list("pk", flat=True)) == [printed["allowedLocationId"]]
    assert printed["deniedLocationId"] != printed["allowedLocationId"]
    assert Location.objects.filter(pk=printed["deniedLocationId"], is_active=True).exists()


def test_locations_are_active_with_entrances_and_time_zones() -> None:
    seed_demo()

    rows = list(Location.objects.order_by("name").values_list("name", "timezone", "is_active"))

    assert rows == [("Berlin HQ", "Europe/Berlin", True), ("Prague Office", "Europe/Prague", True)]
    assert all(location.entrances.exists() for location in Location.objects.all())


def test_there_is_a_text_field_for_every_scope() -> None:
    seed_demo()

    text_scopes = set(
        CustomField.objects.filter(field_type=CustomField.FieldType.TEXT, is_active=True).values_list(
            "scope", flat=True
        )
    )

    assert text_scopes == {"EVENT", "INVITATION", "BOTH"}


def test_admin_login_works_and_is_a_superuser() -> None:
    login = seed_demo()["admin"]

    user = authenticate(username=login["username"], password=login["password"])

    assert user is not None
    assert user.is_superuser
    assert user.is_staff


def test_employee_login_is_linked_to_an_employee_and_not_staff() -> None:
    login = seed_demo()["employee"]

    user = authenticate(username=login["username"], password=login["password"])

    assert user is not None
    assert not user.is_staff
    assert user.employee.email == "anna.schmidt@demo.example"


def test_reception_login_is_in_the_reception_group_and_works_at_the_first_location_only() -> None:
    printed = seed_demo()
    login = printed["reception"]

    user = authenticate(username=login["username"], password=login["password"])

    assert user is not None
    assert user.is_staff
    assert not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == ["Reception"]
    assert user.get_all_permissions() == {f"{app}.{codename}" for app, codename in RECEPTION_PERMISSIONS}
    berlin = Location.objects.get(name="Berlin HQ")
    assert list(user.work_locations.values_list("pk", flat=True)) == [berlin.pk] == [login["locationId"]]


def test_location_admin_login_is_a_location_admin_of_the_first_location() -> None:
    login = seed_demo()["locationAdmin"]

    user = authenticate(username=login["username"], password=login["password"])

    assert user is not None
    assert list(user.groups.values_list("name", flat=True)) == ["Location admin"]
    assert list(user.work_locations.values_list("pk", flat=True)) == [login["locationId"]]
    assert user.has_perm("directory.change_location")
    assert not user.is_superuser


def test_demo_visits_today_at_both_locations_with_guests_in_every_state() -> None:
    seed_demo()
    today = {}
    for location in Location.objects.all():
        local_day = timezone.now().astimezone(zoneinfo.ZoneInfo(location.timezone)).date()
        today[location.pk] = local_day

    todays = [
        event
        for event in Event.objects.select_related("location")
        if event.starts_at.astimezone(zoneinfo.ZoneInfo(event.location.timezone)).date()
        == today[event.location_id]
    ]

    assert {event.location.name for event in todays} == {"Berlin HQ", "Prague Office"}
    assert Event.objects.filter(starts_at__gt=timezone.now() + dt.timedelta(hours=24)).exists()
    assert Event.objects.filter(host__email="anna.schmidt@demo.example").exists()
    statuses = set(Invitation.objects.filter(event__in=todays).values_list("status", flat=True))
    # Just after midnight nobody can have arrived yet: the arrivals are refused and stay expected.
    assert statuses >= {"INVITED", "CANCELLED"}
    if timezone.now().astimezone(zoneinfo.ZoneInfo("Europe/Berlin")).hour >= 1:
        assert statuses == {"INVITED", "CHECKED_IN", "CHECKED_OUT", "CANCELLED"}


def test_a_second_run_keeps_the_same_visits_and_guests() -> None:
    seed_demo()
    first = (Event.objects.count(), Invitation.objects.count())

    seed_demo()

    assert (Event.objects.count(), Invitation.objects.count()) == first


def test_rerun_restores_a_changed_demo_password() -> None:
    login = seed_demo()["admin"]
    user = get_user_model().objects.get(username=login["username"])
    user.set_password("something-else")
    user.save()

    seed_demo()

    assert authenticate(username=login["username"], password=login["password"]) is not None


def test_last_line_has_exactly_the_documented_keys() -> None:
    printed = seed_demo()

    assert set(printed) == {
        "token",
        "agentToken",
        "admin",
        "employee",
        "reception",
        "locationAdmin",
        "restrictedHost",
    }
