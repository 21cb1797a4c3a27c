"""`manage.py bench_sync`: how fast the reconciliation engine syncs a large calendar, phase by phase.

It works in an integration, location and host of its own, so the organisation's data is untouched, and
removes them afterwards unless `--keep`. By default the engine is called directly (no HTTP, no JSON
parsing), in batches of SYNC_MAX_EVENTS like the API. Guest messages are recorded in the outbox as usual,
but their delivery is only counted, not run: in production a Celery worker sends them after the request,
and the benchmark's guests (@bench.invalid) must never be mailed. With `--http` every phase goes end to
end through a real server instead (see `_bench_http`).
"""

from __future__ import annotations

import datetime as dt
import re
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any
from unittest import mock

from celery.app.task import Task
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone

from apps.directory.models import Employee, Entrance, Location
from apps.integrations.models import Integration
from apps.integrations.services import integration_create
from apps.visits.actors import Actor
from apps.visits.management.commands import _bench_http
from apps.visits.models import AuditEntry, Contact, Event
from apps.visits.sync import EventInput, EventSyncResult, InvitationInput, PersonInput, events_sync

WRITE_STATEMENT = re.compile(r"^\s*(?:WITH\b.*?\b)?(INSERT|UPDATE|DELETE)\b", re.IGNORECASE | re.DOTALL)
# Every tenth event changes in the "changed" phase; a different tenth is cancelled in the "delete" phase.
CHANGED_REMAINDER = 0
DELETED_REMAINDER = 1


@dataclass
class SqlCounter:
    queries: int = 0
    writes: int = 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        self.queries += 1
        if WRITE_STATEMENT.match(sql):
            self.writes += 1
        return execute(sql, params, many, context)


@dataclass(frozen=True)
class PhaseReport:
    name: str
    events: int
    seconds: float
    queries: int
    writes: int
    deliveries: int
    actions: Counter[str]


@contextmanager
def deliveries_counted() -> Iterator[list[int]]:
    """Count the outbox messages the sync hands to Celery after commit, instead of enqueueing them."""
    handed_off = [0]

    def count(self: Task, args: Any = None, kwargs: Any = None, **options: Any) -> None:
        # The dispatch sends chunks of message ids (one task per chunk); count the messages.
        handed_off[0] += len((kwargs or {}).get("message_ids", [None]))

    def count_background(*, message_ids: Sequence[int]) -> None:
        # Without a broker the rows go to the web process's background sender instead: count them too,
        # rather than mail the benchmark's made-up guests.
        handed_off[0] += len(message_ids)

    with (
        mock.patch.object(Task, "apply_async", count),
        mock.patch("apps.notifications.background.outbox_background_submit", count_background),
    ):
        yield handed_off


class Command(BaseCommand):
    help = "Benchmark the sync engine: create, identical re-send, 10% changed and 10% deleted."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--events", type=int, default=1000, help="Events per phase (default 1000).")
        parser.add_argument("--guests", type=int, default=10, help="Guests per event (default 10).")
        parser.add_argument(
            "--batch",
            type=int,
            default=settings.SYNC_MAX_EVENTS,
            help="Events per engine call, like one API request (default SYNC_MAX_EVENTS).",
        )
        parser.add_argument("--keep", action="store_true", help="Keep the benchmark's data afterwards.")
        parser.add_argument(
            "--http",
            action="store_true",
            help="End to end: PUT each phase to a real gunicorn server (needs CELERY_BROKER_URL).",
        )
        parser.add_argument(
            "--workers", type=int, default=2, help="gunicorn workers with --http (default 2)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        events, guests, batch = options["events"], options["guests"], options["batch"]
        if events < 1 or guests < 0 or batch < 1:
            raise CommandError("--events and --batch must be positive, --guests not negative.")

        run = uuid.uuid4().hex[:8]
        issued = integration_create(name=f"Benchmark {run}")
        integration = issued.integration
        location = Location.objects.create(name=f"Benchmark {run}", timezone="UTC")
        entrance = Entrance.objects.create(location=location, name="Main entrance")
        host_email = f"host-{run}@bench.invalid"
        db = connection.settings_dict
        mode = f"HTTP, gunicorn with {options['workers']} workers" if options["http"] else "engine"
        self.stdout.write(
            f"bench_sync ({mode}): {events} events x {guests} guests, batches of {batch}, "
            f"{connection.vendor} database {db['NAME']!s}, run {run}"
        )
        base = self._base_events(events, guests, location.pk, entrance.pk, host_email)
        try:
            if options["http"]:
                with _bench_http.server(workers=options["workers"], queue=f"bench-{run}") as port:
                    _bench_http.server_warm_up(port=port, token=issued.token)
                    http_reports = self._run_phases(
                        base=base,
                        run=lambda name, desired: _bench_http.phase_run(
                            name=name,
                            port=port,
                            token=issued.token,
                            integration=integration,
                            events=desired,
                            batch=batch,
                        ),
                    )
            else:
                reports = self._run_phases(
                    base=base,
                    run=lambda name, desired: self._phase(
                        name=name, integration=integration, events=desired, batch=batch
                    ),
                )
        finally:
            if options["keep"]:
                self.stdout.write(f"Kept: integration {integration.pk}, location {location.pk}.")
            else:
                _cleanup(integration=integration, location=location, host_email=host_email)

        if options["http"]:
            self._print_http(http_reports, guests=guests)
        else:
            self._print(reports, guests=guests)

    def _base_events(
        self, events: int, guests: int, location_id: int, entrance_id: int, host_email: str
    ) -> list[EventInput]:
        start = (timezone.now() + dt.timedelta(days=30)).replace(minute=0, second=0, microsecond=0)
        synced_at = timezone.now().replace(microsecond=0)
        host = PersonInput(email=host_email, first_name="Bench", last_name="Host", phone_number="+491234")
        return [
            EventInput(
                source_id=f"bench-{number}",
                name=f"Benchmark meeting {number}",
                description="Generated by manage.py bench_sync",
                starts_at=start + dt.timedelta(minutes=15 * number),
                ends_at=start + dt.timedelta(minutes=15 * number + 60),
                location_id=location_id,
                entrance_id=entrance_id,
                host=host,
                invitations=[
                    InvitationInput(
                        source_id=f"guest-{number}-{guest}",
                        email=f"guest-{number}-{guest}@bench.invalid",
                        first_name="Guest",
                        last_name=f"No. {number}-{guest}",
                        company_name="Bench Ltd",
                        language="EN",
                    )
                    for guest in range(guests)
                ],
                updated_at=synced_at,
            )
            for number in range(events)
        ]

    def _run_phases(
        self, *, base: list[EventInput], run: Callable[[str, list[EventInput]], Any]
    ) -> list[Any]:
        later = dt.timedelta(minutes=1)
        changed = [
            replace(
                event,
                name=f"{event.name} (moved)",
                starts_at=event.starts_at + dt.timedelta(minutes=30),
                ends_at=event.ends_at + dt.timedelta(minutes=30),
                updated_at=event.updated_at + later,
            )
            if number % 10 == CHANGED_REMAINDER
            else event
            for number, event in enumerate(base)
        ]
        deleted = [
            replace(event, deleted_at=timezone.now(), updated_at=event.updated_at + 2 * later)
            if number % 10 == DELETED_REMAINDER
            else event
            for number, event in enumerate(changed)
        ]
        tenth = len(base[CHANGED_REMAINDER::10])
        cancelled = len(base[DELETED_REMAINDER::10])
        phases = [
            ("create", base, {"created": len(base)}),
            ("identical re-send", base, {"unchanged": len(base)}),
            ("10% changed", changed, {"updated": tenth, "unchanged": len(base) - tenth}),
            ("delete 10%", deleted, {"deleted": cancelled, "unchanged": len(base) - cancelled}),
        ]
        reports = []
        for name, desired, expected in phases:
            report = run(name, desired)
            reports.append(report)
            actual = {action: count for action, count in report.actions.items() if count}
            if actual != expected:
                # Timing a sync that did something else than intended would measure the wrong thing.
                raise CommandError(f"Phase {name!r}: expected {expected}, the engine answered {actual}.")
        return reports

    def _phase(
        self, *, name: str, integration: Integration, events: Sequence[EventInput], batch: int
    ) -> PhaseReport:
        counter = SqlCounter()
        results: list[EventSyncResult] = []
        with deliveries_counted() as handed_off, connection.execute_wrapper(counter):
            started = time.perf_counter()
            for offset in range(0, len(events), batch):
                results += events_sync(
                    actor=Actor.of_integration(integration), events=events[offset : offset + batch]
                )
            seconds = time.perf_counter() - started
        errors = Counter(str(result.status) for result in results if not result.ok)
        if errors:
            raise CommandError(f"Phase {name!r}: the engine refused events: {dict(errors)}.")
        return PhaseReport(
            name=name,
            events=len(events),
            seconds=seconds,
            queries=counter.queries,
            writes=counter.writes,
            deliveries=handed_off[0],
            actions=Counter(str(result.action) for result in results),
        )

    def _print(self, reports: list[PhaseReport], *, guests: int) -> None:
        header = f"{'phase':<18} {'events':>7} {'wall s':>8} {'events/s':>9} {'queries':>8} {'writes':>7}"
        self.stdout.write(f"{header} {'deliveries':>10}  actions")
        for r in reports:
            rate = r.events / r.seconds if r.seconds else float("inf")
            actions = ", ".join(f"{action} {count}" for action, count in sorted(r.actions.items()))
            self.stdout.write(
                f"{r.name:<18} {r.events:>7} {r.seconds:>8.3f} {rate:>9.1f} {r.queries:>8} {r.writes:>7}"
                f" {r.deliveries:>10}  {actions}"
            )
        self.stdout.write(
            f"{guests} guests per event. queries: every SQL statement, incl. transaction control; "
            "writes: INSERT/UPDATE/DELETE; deliveries: outbox messages handed to Celery (counted, not sent)."
        )

    def _print_http(self, reports: list[_bench_http.HttpPhase], *, guests: int) -> None:
        self.stdout.write(
            f"{'phase':<18} {'events':>7} {'wall s':>8} {'events/s':>9} {'body KiB':>9} {'rows written':>13}"
        )
        for r in reports:
            rate = r.events / r.seconds if r.seconds else float("inf")
            self.stdout.write(
                f"{r.name:<18} {r.events:>7} {r.seconds:>8.3f} {rate:>9.1f} "
                f"{r.body_bytes / 1024:>9.0f} {r.rows_written:>13}"
            )
        self.stdout.write(
            f"{guests} guests per event. wall s: from sending the request to reading the whole answer; rows "
            "written: event, guest, contact, outbox and audit rows inserted or updated (the request's own "
            "log entry aside); the outbox messages went to the broker, on a queue of the benchmark's own."
        )


def _cleanup(*, integration: Integration, location: Location, host_email: str) -> None:
    # Children first: events and contacts protect the integration, events the location and host.
    AuditEntry.objects.filter(event__integration=integration).delete()
    Event.objects.filter(integration=integration).delete()
    Contact.objects.filter(integration=integration).delete()
    Employee.objects.filter(email=host_email).delete()
    location.delete()
    integration.delete()
