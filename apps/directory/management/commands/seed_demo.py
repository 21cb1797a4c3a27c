"""`manage.py seed_demo`: a demo organisation to click through and to point the API tour at.

Everything is keyed by a natural key (location name, employee email, username…), so the command can run
any number of times and converges on the same rows; only the integration token changes, because a token
exists in plain text only when it is issued. The last line printed is the JSON object of the API spec.
"""

import datetime as dt
import json
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from apps.directory.models import AccessPartition, AccessProfile, CustomField, Employee, Entrance, Location
from apps.integrations.models import Integration
from apps.integrations.services import (
    IssuedToken,
    integration_activate,
    integration_create,
    integration_rotate_token,
)
from apps.reception.roles import LOCATION_ADMIN, RECEPTION
from apps.visits.actors import Actor
from apps.visits.checkins import CheckInRefused, invitation_check_in, invitation_check_out
from apps.visits.models import Contact, Invitation
from apps.visits.sync import EventInput, InvitationInput, PersonInput, events_sync

INTEGRATION_NAME = "Demo calendar"


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
RECEPTION_LOGIN = DemoLogin(
    "demo-reception", "demo-reception-pass", True, False, "Rita", "Reception", "reception@demo.example"
)
LOCATION_ADMIN_LOGIN = DemoLogin(
    "demo-location-admin",
    "demo-location-admin-pass",
    True,
    False,
    "Leo",
    "Location-Admin",
    "location-admin@demo.example",
)
# Reception and the location admin work at the first demo location only.
DESK_LOCATION = "Berlin HQ"


@dataclass(frozen=True)
class DemoGuest:
    first_name: str
    last_name: str
    company: str
    # What has happened to the guest by now: invited, checked in, checked in and out, or cancelled.
    state: str = "invited"


@dataclass(frozen=True)
class DemoVisit:
    key: str  # the portal source id, so every run updates the same visit
    name: str
    location: str
    host_email: str
    day: int  # days from today, in the location's time zone
    start: dt.time
    hours: float
    guests: list[DemoGuest]


VISITS = [
    DemoVisit(
        "portal-demo-kickoff",
        "Project kick-off",
        "Berlin HQ",
        EMPLOYEE_EMAIL,
        0,
        dt.time(9, 0),
        2,
        [
            DemoGuest("Grace", "Hopper", "Navy Labs", "left"),
            DemoGuest("Alan", "Turing", "Bletchley Park", "on_site"),
            DemoGuest("Katherine", "Johnson", "NACA", "on_site"),
        ],
    ),
    DemoVisit(
        "portal-demo-interview",
        "Interview",
        "Berlin HQ",
        RESTRICTED_HOST_EMAIL,
        0,
        dt.time(13, 30),
        1,
        [
            DemoGuest("Margaret", "Hamilton", "MIT"),
            DemoGuest("Edsger", "Dijkstra", "", "cancelled"),
        ],
    ),
    DemoVisit(
        "portal-demo-supplier",
        "Supplier review",
        "Berlin HQ",
        EMPLOYEE_EMAIL,
        0,
        dt.time(15, 0),
        1.5,
        [
            DemoGuest("Barbara", "Liskov", "CLU Systems"),
            DemoGuest("Donald", "Knuth", "TeX Press"),
            DemoGuest("Frances", "Allen", "IBM"),
        ],
    ),
    DemoVisit(
        "portal-demo-workshop",
        "Design workshop",
        "Berlin HQ",
        EMPLOYEE_EMAIL,
        1,
        dt.time(10, 0),
        3,
        [
            DemoGuest("Ada", "Byron", "Analytical Engines"),
            DemoGuest("Linus", "Torvalds", "Kernel Org"),
        ],
    ),
    DemoVisit(
        "portal-demo-audit",
        "Security audit",
        "Berlin HQ",
        RESTRICTED_HOST_EMAIL,
        2,
        dt.time(9, 30),
        4,
        [
            DemoGuest("Radia", "Perlman", "Spanning Trees"),
        ],
    ),
    DemoVisit(
        "portal-demo-prague",
        "Partner meeting",
        "Prague Office",
        "jan.novak@demo.example",
        0,
        dt.time(10, 0),
        2,
        [
            DemoGuest("Tim", "Berners-Lee", "W3C", "on_site"),
            DemoGuest("Vint", "Cerf", "Internet Society"),
        ],
    ),
    DemoVisit(
        "portal-demo-prague-2",
        "Quarterly review",
        "Prague Office",
        EMPLOYEE_EMAIL,
        1,
        dt.time(14, 0),
        2,
        [
            DemoGuest("Hedy", "Lamarr", "Frequency Hopping"),
        ],
    ),
]


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
            users = self._seed_users(employees[EMPLOYEE_EMAIL], locations[DESK_LOCATION])
            issued = self._issue_integration_token()
            self._seed_visits(locations)

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
            "reception": {
                "username": RECEPTION_LOGIN.username,
                "password": RECEPTION_LOGIN.password,
                "locationId": locations[DESK_LOCATION].pk,
            },
            "locationAdmin": {
                "username": LOCATION_ADMIN_LOGIN.username,
                "password": LOCATION_ADMIN_LOGIN.password,
                "locationId": locations[DESK_LOCATION].pk,
            },
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

    def _seed_users(self, employee: Employee, desk: Location) -> dict[str, DemoLogin]:
        self._seed_user(ADMIN)
        employee_user = self._seed_user(EMPLOYEE)
        reception_user = self._seed_user(RECEPTION_LOGIN)
        location_admin_user = self._seed_user(LOCATION_ADMIN_LOGIN)

        # The invite portal finds the employee behind a login through this link.
        if employee.user_id != employee_user.pk:
            employee.user = employee_user
            employee.save(update_fields=["user", "updated_at"])

        # The groups and their permissions come from a migration (apps/reception); only membership here.
        for user, role in ((reception_user, RECEPTION), (location_admin_user, LOCATION_ADMIN)):
            user.groups.set([Group.objects.get(name=role)])
            user.work_locations.set([desk])
        return {
            "admin": ADMIN,
            "employee": EMPLOYEE,
            "reception": RECEPTION_LOGIN,
            "locationAdmin": LOCATION_ADMIN_LOGIN,
        }

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

    def _seed_visits(self, locations: dict[str, Location]) -> None:
        """Visits today and in the coming days at both locations, made by the engine like any other."""
        actor = Actor.of_system("seed_demo")
        now = timezone.now()
        known = set(
            Contact.objects.filter(
                integration__isnull=True, source_id__startswith="portal-demo-"
            ).values_list("source_id", flat=True)
        )
        inputs, cancellations = [], []
        for visit in VISITS:
            zone = zoneinfo.ZoneInfo(locations[visit.location].timezone)
            day = now.astimezone(zone).date() + dt.timedelta(days=visit.day)
            starts = dt.datetime.combine(day, visit.start, tzinfo=zone)
            cancelled_at = starts - dt.timedelta(days=1)
            inputs.append(
                EventInput(
                    source_id=visit.key,
                    name=visit.name,
                    starts_at=starts,
                    ends_at=starts + dt.timedelta(hours=visit.hours),
                    location_id=locations[visit.location].pk,
                    entrance_id=locations[visit.location].entrances.order_by("pk").first().pk,
                    host=PersonInput(email=visit.host_email),
                    invitations=[
                        InvitationInput(
                            source_id=f"{visit.key}-{guest.last_name.lower()}",
                            email=f"{guest.first_name}.{guest.last_name}@guest.example".lower(),
                            first_name=guest.first_name,
                            last_name=guest.last_name,
                            company_name=guest.company,
                            # A cancelled guest is invited first (a guest list names only who is
                            # invited), then taken off below; on later runs they stay off.
                            deleted_at=cancelled_at
                            if guest.state == "cancelled"
                            and f"{visit.key}-{guest.last_name.lower()}" in known
                            else None,
                        )
                        for guest in visit.guests
                    ],
                )
            )
            cancellations.extend(
                EventInput(
                    source_id=visit.key,
                    invitations=[
                        InvitationInput(
                            source_id=f"{visit.key}-{guest.last_name.lower()}", deleted_at=cancelled_at
                        )
                    ],
                )
                for guest in visit.guests
                if guest.state == "cancelled"
            )
        for batch, partial in ((inputs, False), (cancellations, True)):
            for result in events_sync(actor=actor, events=batch, ignore_missing_invitations=partial):
                if not result.ok:
                    raise CommandError(f"Demo visit {result.source_id}: {result.errors}")
        arrived = dt.timedelta(minutes=20)
        for visit in VISITS:
            for guest in visit.guests:
                if guest.state not in ("on_site", "left"):
                    continue
                invitation = Invitation.objects.get(
                    event__source_id=visit.key,
                    event__integration__isnull=True,
                    contact__source_id=f"{visit.key}-{guest.last_name.lower()}",
                )
                try:
                    invitation_check_in(actor=actor, invitation_id=invitation.pk, at=now - 2 * arrived)
                    if guest.state == "left":
                        invitation_check_out(actor=actor, invitation_id=invitation.pk, at=now - arrived)
                except CheckInRefused:
                    continue  # a demo run just after midnight: that guest stays expected

    def _issue_integration_token(self) -> IssuedToken:
        integration = Integration.objects.filter(name=INTEGRATION_NAME).order_by("pk").first()
        if integration is None:
            return integration_create(name=INTEGRATION_NAME)
        if not integration.is_active:
            # A demo that someone deactivated in the admin comes back, or the printed token would be dead.
            integration_activate(integration=integration)
        return integration_rotate_token(integration=integration)
