"""`manage.py bench_retention`: how fast retention anonymises a large backlog of due invitations.

It fills a location, host and integration of its own with `--events` events that ended ten days ago,
`--guests` guests each (a contact, custom field values, an audit row and a sent invitation message per
guest, as a sync leaves them), gives the location a retention of one day, times `retention_apply` and
rolls everything back, so the organisation's data is untouched (the timing therefore leaves out the
commits of the batches, a few milliseconds each).
"""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from apps.core.bulk import rows_insert
from apps.directory.models import Employee, Location
from apps.integrations.services import integration_create
from apps.notifications.models import OutboxMessage
from apps.privacy.services import RETENTION_BATCH_EVENTS, retention_apply
from apps.visits.actors import Actor
from apps.visits.models import AuditEntry, Contact, Event, Invitation

CHUNK = 10_000


class _Rollback(Exception):
    pass


def _chunks(rows: list[dict], size: int = CHUNK):
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


class Command(BaseCommand):
    help = "Time retention over a large backlog of due invitations, then roll everything back."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--events", type=int, default=10_000)
        parser.add_argument("--guests", type=int, default=10)
        parser.add_argument("--batch-events", type=int, default=RETENTION_BATCH_EVENTS)

    def handle(self, *args, events: int, guests: int, batch_events: int, **options) -> None:
        result: dict = {}
        try:
            with transaction.atomic():
                self._fill(events=events, guests=guests)
                started = time.perf_counter()
                report = retention_apply(actor=Actor.of_system("bench_retention"), batch_events=batch_events)
                seconds = time.perf_counter() - started
                result = {
                    "database": connection.vendor,
                    **report.as_json(),
                    "seconds": round(seconds, 2),
                    "invitationsPerSecond": round(report.invitations / seconds),
                }
                raise _Rollback
        except _Rollback:
            pass
        self.stdout.write(json.dumps(result))

    def _fill(self, *, events: int, guests: int) -> None:
        run = uuid.uuid4().hex[:8]
        now = timezone.now()
        ends = now - dt.timedelta(days=10)
        location = Location.objects.create(
            name=f"Bench retention {run}", timezone="Europe/Berlin", retention_days=1
        )
        host = Employee.objects.create(email=f"host-{run}@bench.invalid", first_name="Bench")
        integration = integration_create(name=f"Bench retention {run}").integration
        event_ids = rows_insert(
            model=Event,
            rows=[
                {
                    "integration_id": integration.pk,
                    "source_id": f"e{n}",
                    "name": f"Meeting {n}",
                    "starts_at": ends - dt.timedelta(hours=1),
                    "ends_at": ends,
                    "location_id": location.pk,
                    "host_id": host.pk,
                    "custom_fields": {},
                }
                for n in range(events)
            ],
        )
        contact_rows = [
            {
                "integration_id": integration.pk,
                "source_id": f"g{e}-{g}",
                "email": f"guest-{e}-{g}@bench.invalid",
                "first_name": "Guest",
                "last_name": f"Number {e}-{g}",
                "company_name": "Bench Ltd",
            }
            for e in range(events)
            for g in range(guests)
        ]
        contact_ids = [pk for chunk in _chunks(contact_rows) for pk in rows_insert(model=Contact, rows=chunk)]
        invitation_rows = [
            {
                "event_id": event_ids[i // guests],
                "contact_id": contact_id,
                "custom_fields": {"1": "B-XY 123"},
                "status": Invitation.Status.CHECKED_OUT,
                "checked_in_at": ends - dt.timedelta(hours=1),
                "checked_out_at": ends,
                "token": uuid.uuid4().hex,
            }
            for i, contact_id in enumerate(contact_ids)
        ]
        invitation_ids = [
            pk for chunk in _chunks(invitation_rows) for pk in rows_insert(model=Invitation, rows=chunk)
        ]
        audit_rows = [
            {
                "created_at": now,
                "door": "api",
                "integration_id": integration.pk,
                "actor": f"Integration: {integration.name}",
                "event_id": event_ids[i // guests],
                "invitation_id": invitation_id,
                "action": "invited",
                "changes": {
                    "email": [None, contact_rows[i]["email"]],
                    "first_name": [None, "Guest"],
                    "last_name": [None, contact_rows[i]["last_name"]],
                    "status": [None, "INVITED"],
                },
            }
            for i, invitation_id in enumerate(invitation_ids)
        ]
        for chunk in _chunks(audit_rows):
            rows_insert(model=AuditEntry, rows=chunk)
        message_rows = [
            {
                "kind": OutboxMessage.Kind.INVITATION,
                "event_id": event_ids[i // guests],
                "invitation_id": invitation_id,
                "payload": {"sequence": 0},
                "status": OutboxMessage.Status.SENT,
                "sent_at": now,
            }
            for i, invitation_id in enumerate(invitation_ids)
        ]
        for chunk in _chunks(message_rows):
            rows_insert(model=OutboxMessage, rows=chunk)
