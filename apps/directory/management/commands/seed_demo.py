"""`manage.py seed_demo`: a demo organisation to click through and to point the API tour at.

Everything is keyed by a natural key (location name, employee email, username…), so the command can run
any number of times and converges on the same rows; only the integration token changes, because a token
exists in plain text only when it is issued. The last line printed is the JSON object of the API spec.
"""

import json
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group, Permission
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from apps.directory.models import AccessPartition, AccessProfile, CustomField, Employee, Entrance, Location
from apps.integrations.models import Integration
from apps.integrations.services import (
    IssuedToken,
    integration_activate,
    integration_create,
    integration_rotate_token,
)

INTEGRATION_NAME = "Demo calendar"
RECEPTION_GROUP = "Reception"
# What reception staff do in the back office: look at and (through reception actions) act on visits.
RECEPTION_PERMISSIONS = [
    f"{action}_{model}" for model in ("event", "invitation", "contact") for action in ("view", "change")
]


@dataclass(frozen=True)
class DemoLocation:
    name: str
    address: str
    timezone: str
    entrances: list[str]


LOCATIONS = [
    DemoLocation(
        name="Berlin HQ",
        address="Friedrichstraße 68\n10117 Berlin\nGermany",
        timezone="Europe/Berlin",
        entrances=["Main entrance", "Garage, level -1"],
    ),
    DemoLocation(
        name="Prague Office",
        address="Na Příkopě 33\n110 00 Praha 1\nCzechia",
        timezone="Europe/Prague",
        entrances=["Reception, 2nd floor"],
    ),
]


@dataclass(frozen=True)
class DemoEmployee:
    email: str
    first_name: str
    last_name: str
    phone_number: str
    # Names of the locations the employee may host at; empty means anywhere.
    hosting_locations: list[str] = field(default_factory=list)


EMPLOYEE_EMAIL = "anna.schmidt@demo.example"
RESTRICTED_HOST_EMAIL = "lukas.weber@demo.example"
EMPLOYEES = [
    DemoEmployee(EMPLOYEE_EMAIL, "Anna", "Schmidt", "+49 30 1234567"),
    DemoEmployee("jan.novak@demo.example", "Jan", "Novák", "+420 221 234 567"),
    DemoEmployee(RESTRICTED_HOST_EMAIL, "Lukas", "Weber", "+49 30 7654321", hosting_locations=["Berlin HQ"]),
    DemoEmployee("eva.dvorakova@demo.example", "Eva", "Dvořáková", "+420 602 123 456"),
]


@dataclass(frozen=True)
class DemoCustomField:
    name: str
    field_type: str
    scope: str
    options: list[str] = field(default_factory=list)


Type, Scope = CustomField.FieldType, CustomField.Scope
# At least one text field per scope (the spec asks for it), plus other types so the demo shows them all.
CUSTOM_FIELDS = [
    DemoCustomField("Meeting room", Type.TEXT, Scope.EVENT),
    DemoCustomField("Catering", Type.SELECT, Scope.EVENT, ["None", "Coffee and water", "Lunch"]),
    DemoCustomField("Expected attendees", Type.NUMBER, Scope.EVENT),
    DemoCustomField("Licence plate", Type.TEXT, Scope.INVITATION),
    DemoCustomField("Needs parking", Type.BOOLEAN, Scope.INVITATION),
    DemoCustomField("Emergency contact phone", Type.PHONE, Scope.INVITATION),
    DemoCustomField("Note for reception", Type.TEXT, Scope.BOTH),
]

PARTITION_NAME = "Berlin HQ doors"
ACCESS_PROFILES = [
    ("visitors-lobby", "Lobby only"),
    ("visitors-floor-3", "Lobby and 3rd floor meeting rooms"),
    ("contractors", "Contractors, all floors"),
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    # Fixed on purpose: this is demo data, and the command prints them for whoever runs the demo.
    password: str
    is_staff: bool
    is_superuser: bool
    first_name: str
    last_name: str
    email: str


ADMIN = DemoLogin("demo-admin", "demo-admin-pass", True, True, "Demo", "Admin", "admin@demo.example")
EMPLOYEE = DemoLogin("demo-employee", "demo-employee-pass", False, False, "Anna", "Schmidt", EMPLOYEE_EMAIL)
RECEPTION = DemoLogin(
    "demo-reception", "demo-reception-pass", True, False, "Rita", "Reception", "reception@demo.example"
)


class Command(BaseCommand):
    help = "Create or refresh the demo organisation (idempotent) and print its logins and API token as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even with DEBUG off (the demo logins have published passwords, one is a superuser).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # DEBUG off means a portal that may be live: a superuser with a published password there is an
        # open door, so a warning that scrolls past is not enough.
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "DEBUG is off, so this may be a live portal: seed_demo creates logins with published "
                f"passwords (superuser {ADMIN.username!r}). Nothing was changed. Run it with DEBUG on, "
                "or pass --force on a portal that is only a demo."
            )
        with transaction.atomic():
            locations = self._seed_locations()
            self._seed_custom_fields()
            self._seed_access_partition()
            employees = self._seed_employees(locations)
            users = self._seed_users(employees[EMPLOYEE_EMAIL])
            issued = self._issue_integration_token()

        allowed = locations["Berlin HQ"]
        denied = locations["Prague Office"]
        self.stdout.write(f"Demo data ready: {len(locations)} locations, {len(employees)} employees.")
        integration = issued.integration
        self.stdout.write(f"Integration {integration.name!r} (id {integration.pk}) was issued a new token.")
        for role, login in users.items():
            self.stdout.write(f"  {role:<10} {login.username} / {login.password}")
        summary = {
            "token": issued.token,
            "agentToken": str(issued.integration.agent_token),
            "admin": {"username": ADMIN.username, "password": ADMIN.password},
            "employee": {"username": EMPLOYEE.username, "password": EMPLOYEE.password},
            "reception": {"username": RECEPTION.username, "password": RECEPTION.password},
            "restrictedHost": {
                "email": RESTRICTED_HOST_EMAIL,
                "allowedLocationId": allowed.pk,
                "deniedLocationId": denied.pk,
            },
        }
        self.stdout.write(json.dumps(summary))

    def _seed_locations(self) -> dict[str, Location]:
        locations = {}
        for demo in LOCATIONS:
            location, _ = Location.objects.update_or_create(
                name=demo.name,
                defaults={"address": demo.address, "timezone": demo.timezone, "is_active": True},
            )
            for entrance_name in demo.entrances:
                Entrance.objects.get_or_create(location=location, name=entrance_name)
            locations[demo.name] = location
        return locations

    def _seed_custom_fields(self) -> None:
        for demo in CUSTOM_FIELDS:
            CustomField.objects.update_or_create(
                name=demo.name,
                defaults={
                    "field_type": demo.field_type,
                    "scope": demo.scope,
                    "options": demo.options,
                    "is_active": True,
                },
            )

    def _seed_access_partition(self) -> None:
        partition, _ = AccessPartition.objects.get_or_create(name=PARTITION_NAME)
        for source_id, name in ACCESS_PROFILES:
            AccessProfile.objects.update_or_create(
                partition=partition, source_id=source_id, defaults={"name": name}
            )

    def _seed_employees(self, locations: dict[str, Location]) -> dict[str, Employee]:
        employees = {}
        for demo in EMPLOYEES:
            employee, _ = Employee.objects.update_or_create(
                email=demo.email,
                defaults={
                    "first_name": demo.first_name,
                    "last_name": demo.last_name,
                    "phone_number": demo.phone_number,
                    "is_active": True,
                },
            )
            employee.hosting_locations.set([locations[name] for name in demo.hosting_locations])
            employees[demo.email] = employee
        return employees

    def _seed_users(self, employee: Employee) -> dict[str, DemoLogin]:
        self._seed_user(ADMIN)
        employee_user = self._seed_user(EMPLOYEE)
        reception_user = self._seed_user(RECEPTION)

        # The invite portal finds the employee behind a login through this link.
        if employee.user_id != employee_user.pk:
            employee.user = employee_user
            employee.save(update_fields=["user", "updated_at"])

        group, _ = Group.objects.get_or_create(name=RECEPTION_GROUP)
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="visits", codename__in=RECEPTION_PERMISSIONS)
        )
        reception_user.groups.add(group)
        return {"admin": ADMIN, "employee": EMPLOYEE, "reception": RECEPTION}

    def _seed_user(self, login: DemoLogin) -> AbstractUser:
        user, _ = get_user_model().objects.update_or_create(
            username=login.username,
            defaults={
                "email": login.email,
                "first_name": login.first_name,
                "last_name": login.last_name,
                "is_staff": login.is_staff,
                "is_superuser": login.is_superuser,
                "is_active": True,
            },
        )
        # Reset on every run so the printed password always works, even after someone changed it.
        user.set_password(login.password)
        user.save(update_fields=["password"])
        return user

    def _issue_integration_token(self) -> IssuedToken:
        integration = Integration.objects.filter(name=INTEGRATION_NAME).order_by("pk").first()
        if integration is None:
            return integration_create(name=INTEGRATION_NAME)
        if not integration.is_active:
            # A demo that someone deactivated in the admin comes back, or the printed token would be dead.
            integration_activate(integration=integration)
        return integration_rotate_token(integration=integration)
