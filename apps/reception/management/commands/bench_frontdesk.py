"""`manage.py bench_frontdesk`: the front desk under load, against the configured database.

Makes 10,000 events (by default) in a location, host and reception login of its own, 500 guests of them
expected today at the desk's location, then measures the Today page (median server time over several
renders, and its number of SQL queries) and check-in by scan (median time of the POST). Everything it
made is removed afterwards unless `--keep`. Host notifications are written to the outbox and counted,
not sent.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
import uuid
import zoneinfo
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.directory.models import Employee, Location
from apps.notifications.models import OutboxMessage
from apps.reception.roles import RECEPTION
from apps.reception.selectors import location_day_bounds, location_today
from apps.visits.management.commands.bench_sync import deliveries_counted
from apps.visits.models import Contact, Event, Invitation

GUESTS_PER_TODAY_EVENT = 10


class Command(BaseCommand):
    help = "Benchmark the front desk: Today page render time and queries, check-in by scan."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--events", type=int, default=10_000, help="Events in the database (all told).")
        parser.add_argument("--guests", type=int, default=500, help="Guests expected today at the desk.")
        parser.add_argument("--runs", type=int, default=20, help="Renders of the Today page to time.")
        parser.add_argument("--scans", type=int, default=50, help="Check-ins by scan to time.")
        parser.add_argument("--keep", action="store_true", help="Keep the benchmark's data afterwards.")

    def handle(self, *args: Any, **options: Any) -> None:
        tag = uuid.uuid4().hex[:8]
        desk, other, host, user = self._setup(tag)
        try:
            self._populate(tag, desk, other, host, events=options["events"], guests=options["guests"])
            with (
                override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]),
                override_settings(OUTBOX_DELIVERY_IN_BACKGROUND=False),
                deliveries_counted(),
            ):
                client = Client()
                client.force_login(user)
                today = self._today(client, desk, runs=options["runs"])
                scans = self._scans(client, desk, count=min(options["scans"], options["guests"]))
            notified = OutboxMessage.objects.filter(
                kind=OutboxMessage.Kind.ARRIVAL, event__location=desk
            ).count()
            self._print(options, today, scans, notified)
        finally:
            if options["keep"]:
                self.stdout.write(f"Kept: location {desk.name!r}, login {user.get_username()!r}.")
            else:
                _cleanup(tag=tag, locations=[desk, other], host=host, user=user)

    def _setup(self, tag: str):
        from django.contrib.auth.models import Group

        desk = Location.objects.create(name=f"Bench desk {tag}", timezone="Europe/Berlin")
        other = Location.objects.create(name=f"Bench other {tag}", timezone="Europe/Prague")
        host = Employee.objects.create(
            email=f"bench-host-{tag}@bench.example", first_name="Bench", last_name="Host"
        )
        user = get_user_model().objects.create_user(f"bench-reception-{tag}", is_staff=True)
        user.groups.add(Group.objects.get(name=RECEPTION))
        desk.staff.add(user)
        return desk, other, host, user

    def _populate(
        self, tag: str, desk: Location, other: Location, host: Employee, *, events: int, guests: int
    ) -> None:
        zone = zoneinfo.ZoneInfo(desk.timezone)
        today = timezone.now().astimezone(zone).date()
        todays = -(-guests // GUESTS_PER_TODAY_EVENT)
        rows: list[Event] = []
        for number in range(todays):
            starts = dt.datetime.combine(today, dt.time(8 + number % 10, 0), tzinfo=zone)
            rows.append(self._event(tag, number, desk, host, starts))
        for number in range(todays, events):
            # The rest on other days, at both locations, a year around today.
            day = today + dt.timedelta(days=(number % 360) - 180 or 1)
            starts = dt.datetime.combine(day, dt.time(9, 0), tzinfo=zone)
            rows.append(self._event(tag, number, desk if number % 2 else other, host, starts))
        created = Event.objects.bulk_create(rows, batch_size=2000)
        invitations: list[tuple[Event, int]] = []
        for index, event in enumerate(created):
            if index < todays:
                left = guests - index * GUESTS_PER_TODAY_EVENT
                invitations.extend((event, n) for n in range(min(GUESTS_PER_TODAY_EVENT, left)))
            else:
                invitations.append((event, 0))
        contacts = Contact.objects.bulk_create(
            [
                Contact(
                    source_id=f"bench-{tag}-{event.pk}-{n}",
                    email=f"guest-{event.pk}-{n}@bench.example",
                    first_name="Guest",
                    last_name=f"{event.pk}-{n}",
                    company_name="Bench Ltd",
                )
                for event, n in invitations
            ],
            batch_size=2000,
        )
        Invitation.objects.bulk_create(
            [
                Invitation(event=event, contact=contact)
                for (event, _), contact in zip(invitations, contacts, strict=True)
            ],
            batch_size=2000,
        )

    @staticmethod
    def _event(tag: str, number: int, location: Location, host: Employee, starts: dt.datetime) -> Event:
        return Event(
            source_id=f"bench-{tag}-{number}",
            name=f"Bench meeting {number}",
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
            location=location,
            host=host,
        )

    def _today(self, client: Client, desk: Location, *, runs: int) -> dict[str, Any]:
        url = f"{reverse('frontdesk:today')}?location={desk.pk}"
        client.get(url)  # warm-up: templates, permissions cache of the connection
        times = []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - started)
            assert response.status_code == 200, response.status_code
        return {
            "median": statistics.median(times),
            "max": max(times),
            "queries": len(queries),
            "rows": response.content.count(b'<tr class="status-'),
        }

    def _scans(self, client: Client, desk: Location, *, count: int) -> dict[str, Any]:
        start, end = location_day_bounds(location=desk, day=location_today(location=desk))
        tokens = list(
            Invitation.objects.filter(
                event__location=desk,
                event__starts_at__gte=start,
                event__starts_at__lt=end,
                status=Invitation.Status.INVITED,
            )
            .order_by("pk")
            .values_list("token", flat=True)[:count]
        )
        url = f"{reverse('frontdesk:scan')}?location={desk.pk}"
        times = []
        for token in tokens:
            started = time.perf_counter()
            response = client.post(url, {"code": token})
            times.append(time.perf_counter() - started)
            assert response.status_code == 302, response.status_code
        checked_in = Invitation.objects.filter(token__in=tokens, status=Invitation.Status.CHECKED_IN).count()
        return {
            "median": statistics.median(times) if times else 0.0,
            "count": len(tokens),
            "checked_in": checked_in,
        }

    def _print(self, options: dict, today: dict, scans: dict, notified: int) -> None:
        self.stdout.write(
            f"Database: {connection.vendor}; {options['events']:,} events, "
            f"{options['guests']:,} guests today at the desk."
        )
        self.stdout.write(
            f"Today page: median {today['median'] * 1000:.1f} ms, slowest {today['max'] * 1000:.1f} ms over "
            f"{options['runs']} renders; {today['queries']} SQL queries; {today['rows']} guests listed."
        )
        self.stdout.write(
            f"Check-in by scan: median {scans['median'] * 1000:.1f} ms over {scans['count']} scans; "
            f"{scans['checked_in']} checked in; {notified} host notifications written to the outbox "
            "(not sent)."
        )


def _cleanup(*, tag: str, locations: list[Location], host: Employee, user) -> None:
    # Events cascade to their guests, audit entries and outbox rows; contacts and the rest go after.
    Event.objects.filter(location__in=locations).delete()
    Contact.objects.filter(source_id__startswith=f"bench-{tag}-").delete()
    host.delete()
    for location in locations:
        location.delete()
    user.delete()
