"""`manage.py bench_read`: how fast integrations read events back through a real server (issue #14).

It syncs `--events` events of `--guests` guests each through the engine (as `bench_sync` does), in an
integration, location and host of its own, runs `ANALYZE` (as autovacuum would), starts gunicorn on the
loopback with the command's own database (`bench_sync --http`'s server) and measures, `--runs` times:

- pages of `GET /api/v2/events` at `limit=50` and `limit=200`, spread over the whole list: p50/p95 of
  the time from sending the request to reading the last byte, beside the database floor: PostgreSQL
  building the very same page as JSON by itself (`json_agg`, guests and access profiles nested), read
  by this process;
- `GET /api/v2/events/{sourceId}`;
- paging through every event with `limit=200`, following `next` and parsing each answer as a client
  would: events per second;
- `--clients` concurrent clients (threads, each on its own connection) reading `limit=50` pages:
  requests per second and p50/p95.

Then it prints the median of the runs and removes its data unless `--keep`.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import statistics
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from apps.directory.models import AccessProfile, Employee, Entrance, Location
from apps.integrations.models import Integration
from apps.integrations.services import integration_create
from apps.visits.actors import Actor
from apps.visits.management.commands import _bench_http, bench_sync
from apps.visits.models import Contact, Event, Invitation
from apps.visits.sync import events_sync

EVENTS_PATH = "/api/v2/events"
LIMITS = (50, 200)
PAGING_LIMIT = 200
CONCURRENT_LIMIT = 50


@dataclass(frozen=True)
class Page:
    url: str
    first_starts_at: str
    first_id: int


@dataclass(frozen=True)
class RunReport:
    page_ms: dict[int, list[float]]
    floor_ms: dict[int, list[float]]
    page_bytes: dict[int, int]
    detail_ms: list[float]
    paging_seconds: float
    paged_events: int
    concurrent_seconds: float
    concurrent_ms: list[float]


def _percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Client:
    """GETs with the integration's token; a new connection per request, as gunicorn's sync workers close
    each one after answering."""

    def __init__(self, *, port: int, token: str) -> None:
        self.port = port
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    def get(self, url: str) -> tuple[float, bytes]:
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        try:
            conn.request("GET", url, headers=self.headers)
            response = conn.getresponse()
            body = response.read()
        finally:
            conn.close()
        seconds = time.perf_counter() - started
        if response.status != 200:
            raise CommandError(f"GET {url}: HTTP {response.status}: {body[:500]!r}")
        return seconds, body


def _relative(url: str) -> str:
    # `next` is absolute (http://127.0.0.1:port/api/...); the connection already knows the host.
    return url[url.index("/api/") :]


class Command(BaseCommand):
    help = (
        "Benchmark reading events back through a real server: pages, paging, concurrency, the database floor."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--events", type=int, default=10_000, help="Events (default 10000).")
        parser.add_argument("--guests", type=int, default=10, help="Guests per event (default 10).")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2).")
        parser.add_argument("--samples", type=int, default=40, help="Pages timed per limit (default 40).")
        parser.add_argument("--clients", type=int, default=8, help="Concurrent clients (default 8).")
        parser.add_argument(
            "--requests", type=int, default=50, help="Requests per concurrent client (default 50)."
        )
        parser.add_argument("--runs", type=int, default=3, help="Measurement runs (default 3).")
        parser.add_argument("--keep", action="store_true", help="Keep the benchmark's data afterwards.")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("bench_read needs PostgreSQL (its server runs in processes of its own).")
        events, guests = options["events"], options["guests"]
        if events < 1 or guests < 0 or min(options["samples"], options["runs"], options["clients"]) < 1:
            raise CommandError("--events, --samples, --runs and --clients must be positive.")
        run = uuid.uuid4().hex[:8]
        issued = integration_create(name=f"Benchmark {run}")
        integration = issued.integration
        location = Location.objects.create(name=f"Benchmark {run}", timezone="UTC")
        entrance = Entrance.objects.create(location=location, name="Main entrance")
        host_email = f"host-{run}@bench.invalid"
        self.stdout.write(
            f"bench_read (HTTP, gunicorn with {options['workers']} workers): {events} events x {guests} "
            f"guests, postgresql database {connection.settings_dict['NAME']}, run {run}"
        )
        try:
            self._events_create(integration, location, entrance, host_email, events, guests)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            with _bench_http.server(workers=options["workers"], queue=f"bench-{run}") as port:
                client = Client(port=port, token=issued.token)
                reports = [
                    self._run(client, integration, events=events, options=options)
                    for _ in range(options["runs"])
                ]
        finally:
            if options["keep"]:
                self.stdout.write(f"Kept: integration {integration.pk}, location {location.pk}.")
            else:
                bench_sync._cleanup(integration=integration, location=location, host_email=host_email)
        self._print(reports, clients=options["clients"], guests=guests)

    def _events_create(
        self,
        integration: Integration,
        location: Location,
        entrance: Entrance,
        host_email: str,
        events: int,
        guests: int,
    ) -> None:
        started = time.perf_counter()
        base = bench_sync.Command()._base_events(events, guests, location.pk, entrance.pk, host_email)
        with bench_sync.deliveries_counted():
            for offset in range(0, events, settings.SYNC_MAX_EVENTS):
                results = events_sync(
                    actor=Actor.of_integration(integration),
                    events=base[offset : offset + settings.SYNC_MAX_EVENTS],
                )
                if not all(result.ok for result in results):
                    raise CommandError("The engine refused some of the benchmark's events.")
        self.stdout.write(f"Synced {events} events in {time.perf_counter() - started:.1f} s.")

    def _run(
        self, client: Client, integration: Integration, *, events: int, options: dict[str, Any]
    ) -> RunReport:
        pages = {limit: self._pages(client, limit) for limit in LIMITS}
        for _ in range(2 * options["workers"]):  # every worker has imported, connected and cached
            client.get(pages[CONCURRENT_LIMIT][0].url)
        page_ms: dict[int, list[float]] = {}
        floor_ms: dict[int, list[float]] = {}
        page_bytes: dict[int, int] = {}
        for limit in LIMITS:
            chosen = _spread(pages[limit], options["samples"])
            timings = [client.get(page.url) for page in chosen]
            page_ms[limit] = [seconds * 1000 for seconds, _ in timings]
            page_bytes[limit] = len(timings[0][1])
            floor_ms[limit] = [_floor_ms(integration, page, limit) for page in chosen]
        detail_urls = [f"{EVENTS_PATH}/bench-{number}" for number in range(0, events, max(1, events // 40))]
        detail_ms = [client.get(url)[0] * 1000 for url in detail_urls]
        paging_seconds, paged = self._page_through(client)
        if paged != events:
            raise CommandError(f"Paging returned {paged} events, not {events}.")
        concurrent_seconds, concurrent_ms = self._concurrent(
            client, pages[CONCURRENT_LIMIT], clients=options["clients"], requests=options["requests"]
        )
        return RunReport(
            page_ms=page_ms,
            floor_ms=floor_ms,
            page_bytes=page_bytes,
            detail_ms=detail_ms,
            paging_seconds=paging_seconds,
            paged_events=paged,
            concurrent_seconds=concurrent_seconds,
            concurrent_ms=concurrent_ms,
        )

    def _pages(self, client: Client, limit: int) -> list[Page]:
        """Every page's URL and first event, following `next` from the start."""
        pages: list[Page] = []
        url: str | None = f"{EVENTS_PATH}?limit={limit}"
        while url:
            body = json.loads(client.get(url)[1])
            first = body["results"][0]
            pages.append(Page(url=url, first_starts_at=first["startsAt"], first_id=first["id"]))
            url = _relative(body["next"]) if body["next"] else None
        return pages

    def _page_through(self, client: Client) -> tuple[float, int]:
        paged = 0
        url: str | None = f"{EVENTS_PATH}?limit={PAGING_LIMIT}"
        started = time.perf_counter()
        while url:
            body = json.loads(client.get(url)[1])
            paged += len(body["results"])
            url = _relative(body["next"]) if body["next"] else None
        return time.perf_counter() - started, paged

    def _concurrent(
        self, client: Client, pages: list[Page], *, clients: int, requests: int
    ) -> tuple[float, list[float]]:
        timings: list[float] = []
        lock = threading.Lock()
        failures: list[BaseException] = []

        def read(offset: int) -> None:
            own: list[float] = []
            try:
                for number in range(requests):
                    own.append(client.get(pages[(offset + number) % len(pages)].url)[0] * 1000)
            except BaseException as exc:  # reported after the threads are joined
                failures.append(exc)
            with lock:
                timings.extend(own)

        threads = [
            threading.Thread(target=read, args=(index * len(pages) // clients,)) for index in range(clients)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - started
        if failures:
            raise CommandError(f"A concurrent client failed: {failures[0]}")
        return seconds, timings

    def _print(self, reports: list[RunReport], *, clients: int, guests: int) -> None:
        def median(values: Sequence[float]) -> float:
            return statistics.median(values)

        self.stdout.write(
            f"{'read':<34} {'p50 ms':>8} {'p95 ms':>8} {'KiB':>6} "
            f"{'db JSON p50':>12} {'db p95':>8} {'ratio':>6}"
        )
        for limit in LIMITS:
            p50 = median([median(r.page_ms[limit]) for r in reports])
            p95 = median([_percentile(r.page_ms[limit], 0.95) for r in reports])
            floor50 = median([median(r.floor_ms[limit]) for r in reports])
            floor95 = median([_percentile(r.floor_ms[limit], 0.95) for r in reports])
            self.stdout.write(
                f"{f'GET /events?limit={limit}':<34} {p50:>8.1f} {p95:>8.1f} "
                f"{reports[0].page_bytes[limit] / 1024:>6.0f} {floor50:>12.1f} {floor95:>8.1f} "
                f"{p50 / floor50:>6.2f}"
            )
        detail50 = median([median(r.detail_ms) for r in reports])
        detail95 = median([_percentile(r.detail_ms, 0.95) for r in reports])
        self.stdout.write(f"{'GET /events/{sourceId}':<34} {detail50:>8.1f} {detail95:>8.1f}")
        paging = median([r.paging_seconds for r in reports])
        self.stdout.write(
            f"paging through {reports[0].paged_events} events (limit {PAGING_LIMIT}): {paging:.2f} s = "
            f"{reports[0].paged_events / paging:,.0f} events/s"
        )
        rate = median([len(r.concurrent_ms) / r.concurrent_seconds for r in reports])
        c50 = median([median(r.concurrent_ms) for r in reports])
        c95 = median([_percentile(r.concurrent_ms, 0.95) for r in reports])
        self.stdout.write(
            f"{clients} clients at once, limit={CONCURRENT_LIMIT}: {rate:,.0f} requests/s, p50 {c50:.1f} ms, "
            f"p95 {c95:.1f} ms"
        )
        self.stdout.write(
            f"Medians of {len(reports)} runs; {guests} guests per event. Page times run from sending the "
            "request to reading the last byte (new connection each); db JSON: PostgreSQL building the same "
            "page as one JSON text (json_agg), read by this process; ratio: page p50 / db JSON p50. "
            "Paging parses each answer and follows `next`."
        )
        for number, r in enumerate(reports, 1):
            self.stdout.write(
                f"run {number}: limit=50 p50 {median(r.page_ms[50]):.1f} ms, limit=200 p50 "
                f"{median(r.page_ms[200]):.1f} ms (db {median(r.floor_ms[200]):.1f} ms), paging "
                f"{r.paged_events / r.paging_seconds:,.0f} events/s, concurrent "
                f"{len(r.concurrent_ms) / r.concurrent_seconds:,.0f} requests/s"
            )


def _spread(pages: list[Page], samples: int) -> list[Page]:
    if samples >= len(pages):
        return pages
    return [pages[index * len(pages) // samples] for index in range(samples)]


def _floor_sql() -> str:
    """One page of the integration's events as JSON, built by PostgreSQL alone: the same rows, keys and
    nesting as the API's answer (times in PostgreSQL's own ISO format)."""
    tables = {
        "event": Event._meta.db_table,
        "invitation": Invitation._meta.db_table,
        "contact": Contact._meta.db_table,
        "employee": Employee._meta.db_table,
        "profile": AccessProfile._meta.db_table,
        "link": Invitation.access_profiles.through._meta.db_table,
    }
    return """
SELECT coalesce(json_agg(page.doc ORDER BY page.starts_at, page.id), '[]')::text FROM (
  SELECT e.starts_at, e.id, json_build_object(
    'id', e.id, 'sourceId', e.source_id, 'name', e.name, 'description', e.description,
    'startsAt', e.starts_at, 'endsAt', e.ends_at, 'locationId', e.location_id, 'entranceId', e.entrance_id,
    'host', json_build_object('email', h.email, 'firstName', h.first_name, 'lastName', h.last_name,
                              'phoneNumber', h.phone_number),
    'creator', CASE WHEN c.id IS NULL THEN NULL ELSE json_build_object('email', c.email,
               'firstName', c.first_name, 'lastName', c.last_name, 'phoneNumber', c.phone_number) END,
    'invitations', coalesce((
      SELECT json_agg(json_build_object(
        'sourceId', ct.source_id, 'email', ct.email, 'firstName', ct.first_name, 'lastName', ct.last_name,
        'companyName', ct.company_name, 'language', i.language, 'customFields', i.custom_fields,
        'accessProfiles', coalesce((
          SELECT json_agg(json_build_object('partitionId', p.partition_id, 'sourceId', p.source_id)
                          ORDER BY p.partition_id, p.source_id)
          FROM {link} l JOIN {profile} p ON p.id = l.accessprofile_id WHERE l.invitation_id = i.id), '[]'),
        'deletedAt', i.cancelled_at, 'status', i.status, 'checkedInAt', i.checked_in_at,
        'checkedOutAt', i.checked_out_at, 'effectiveCustomFields', e.custom_fields || i.custom_fields)
        ORDER BY i.id)
      FROM {invitation} i JOIN {contact} ct ON ct.id = i.contact_id WHERE i.event_id = e.id), '[]'),
    'customFields', e.custom_fields, 'deletedAt', e.cancelled_at, 'status', e.status,
    'createdAt', e.created_at, 'updatedAt', e.updated_at, 'sourceUpdatedAt', e.source_updated_at) AS doc
  FROM {event} e
  JOIN {employee} h ON h.id = e.host_id
  LEFT JOIN {employee} c ON c.id = e.creator_id
  WHERE e.integration_id = %s AND (e.starts_at, e.id) >= (%s, %s)
  ORDER BY e.starts_at, e.id
  LIMIT %s
) page
""".format(**tables)


def _floor_ms(integration: Integration, page: Page, limit: int) -> float:
    starts_at = dt.datetime.fromisoformat(page.first_starts_at.replace("Z", "+00:00"))
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(_floor_sql(), [integration.pk, starts_at, page.first_id, limit])
        document = cursor.fetchone()[0]
    elapsed = (time.perf_counter() - started) * 1000
    if not document.startswith("[{"):
        raise CommandError("The database built an empty page.")
    return elapsed
