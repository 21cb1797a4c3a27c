"""`manage.py bench_portal`: how fast My visits renders with a full database.

It fills the configured database with `--events` visits (10,000 by default) at a location of its own,
`--mine` of them (500) hosted by an employee of its own and the rest by 20 colleagues, each with
`--guests` guests, then asks for My visits (first page, a search, the last page) `--repeat` times each
as that employee, through Django's whole request stack in-process (middleware, session, templates;
no network), and prints the median and 95th percentile server time and the SQL statements per
request. Everything it made is rolled back at the end, so the organisation's data is untouched.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.directory.models import Employee, Location
from apps.visits.models import Contact, Event, Invitation


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Time My visits (median server time and SQL statements) with 10,000 events, 500 the employee's."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--events", type=int, default=10_000)
        parser.add_argument("--mine", type=int, default=500)
        parser.add_argument("--guests", type=int, default=3)
        parser.add_argument("--repeat", type=int, default=30)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with transaction.atomic():
                self._run(**options)
                raise _Rollback
        except _Rollback:
            pass

    def _run(self, *, events: int, mine: int, guests: int, repeat: int, **_: Any) -> None:
        tag = uuid.uuid4().hex[:8]
        started = time.perf_counter()
        _employee, user = self._fill(tag, events=events, mine=mine, guests=guests)
        self.stdout.write(
            f"Filled {events:,} events ({mine:,} the employee's), {events * guests:,} guests "
            f"in {time.perf_counter() - started:.1f} s on {connection.vendor}."
        )
        if "testserver" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
            settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        client = Client()
        client.force_login(user)
        last_page = max(1, -(-mine // 20))
        for label, query in (
            ("My visits, first page", {}),
            ("My visits, search", {"q": "Visit 1"}),
            (f"My visits, page {last_page}", {"page": last_page}),
        ):
            client.get("/visits/", query)  # warm: connection, template loading
            timings, statements = [], 0
            for _ in range(repeat):
                with CaptureQueriesContext(connection) as queries:
                    begin = time.perf_counter()
                    response = client.get("/visits/", query)
                    timings.append((time.perf_counter() - begin) * 1000)
                assert response.status_code == 200, response.status_code
                statements = len(queries)
            timings.sort()
            p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
            self.stdout.write(
                f"{label:<26} median {statistics.median(timings):6.1f} ms   p95 {p95:6.1f} ms   "
                f"{statements} SQL statements"
            )

    def _fill(self, tag: str, *, events: int, mine: int, guests: int) -> tuple[Employee, Any]:
        location = Location.objects.create(name=f"Bench {tag}", timezone="Europe/Berlin")
        user = get_user_model().objects.create_user(username=f"bench-{tag}")
        employee = Employee.objects.create(email=f"bench-{tag}@bench.invalid", first_name="Bench", user=user)
        colleagues = Employee.objects.bulk_create(
            Employee(email=f"bench-{tag}-{n}@bench.invalid", first_name="Colleague") for n in range(20)
        )
        now = timezone.now().replace(minute=0, second=0, microsecond=0)
        rows = []
        for n in range(events):
            host = employee if n < mine else colleagues[n % len(colleagues)]
            # Spread over a year either side of today, so the page mixes upcoming and past visits.
            starts = now + dt.timedelta(hours=(n * 37) % (24 * 730) - 24 * 365)
            rows.append(
                Event(
                    name=f"Visit {n}",
                    source_id=f"bench-{tag}-{n}",
                    starts_at=starts,
                    ends_at=starts + dt.timedelta(hours=1),
                    location=location,
                    host=host,
                    creator=host,
                )
            )
        created = Event.objects.bulk_create(rows, batch_size=2000)
        contacts = Contact.objects.bulk_create(
            (
                Contact(email=f"g{n}-{g}@bench.invalid", first_name="Guest", last_name=f"{n}-{g}")
                for n in range(events)
                for g in range(guests)
            ),
            batch_size=5000,
        )
        Invitation.objects.bulk_create(
            (
                Invitation(
                    event=event,
                    contact=contacts[n * guests + g],
                    status=Invitation.Status.CHECKED_IN if g == 0 and event.starts_at < now else "INVITED",
                )
                for n, event in enumerate(created)
                for g in range(guests)
            ),
            batch_size=5000,
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE visits_event, visits_invitation, visits_contact")
        return employee, user
