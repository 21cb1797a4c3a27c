"""`bench_sync --http`: the same phases end to end, through a real server, a real request and the broker.

A gunicorn server is started on the loopback with the command's own settings, and each phase is one
`PUT /api/v2/events` of all its events as JSON, timed from the first byte sent to the last byte of the
answer read: JSON parsing, the engine, the response and the hand-off of the outbox messages to the broker.
The server sends its tasks to a queue of the benchmark's own, which no worker reads and which is emptied
afterwards, so the benchmark's made-up guests are never mailed.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection

from apps.integrations.models import Integration
from apps.visits.sync import UNSET, EventInput

SERVER_START_SECONDS = 30
# Tables a sync writes; a row whose xmin changed was written (even with equal values).
WRITTEN_TABLES = {
    "visits_event": "integration_id = %s",
    "visits_invitation": "event_id IN (SELECT id FROM visits_event WHERE integration_id = %s)",
    "visits_contact": "integration_id = %s",
    "notifications_outboxmessage": "event_id IN (SELECT id FROM visits_event WHERE integration_id = %s)",
    "visits_auditentry": "event_id IN (SELECT id FROM visits_event WHERE integration_id = %s)",
}


@dataclass(frozen=True)
class HttpPhase:
    name: str
    events: int
    seconds: float
    body_bytes: int
    rows_written: int
    actions: Counter[str]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def server(*, workers: int, queue: str) -> Iterator[int]:
    """A gunicorn server of this project on a free loopback port, for as long as the block runs."""
    if not settings.CELERY_BROKER_URL:
        raise CommandError("--http measures the hand-off to the broker: set CELERY_BROKER_URL.")
    port = _free_port()
    env = {
        **os.environ,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        # The very database this command works in (under pytest, the test database).
        "DATABASE_URL": _database_url(),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "portal.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers}",
            "--timeout=300",
            "--log-level=warning",
            # Load the application once before forking, so no worker pays for its imports mid-phase.
            "--preload",
        ],
        cwd=settings.BASE_DIR,
        env=env,
    )
    try:
        _wait_until_up(port, process)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        _queue_purge(queue)


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor != "postgresql":
        raise CommandError("--http needs PostgreSQL (the server runs in processes of its own).")
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _wait_until_up(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise CommandError(f"The benchmark server exited with code {process.returncode}.")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v2/schema?format=json")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise CommandError(f"The benchmark server did not answer within {SERVER_START_SECONDS} s.")


def _queue_purge(queue: str) -> None:
    from portal.celery import app

    with app.connection_for_write() as conn:
        channel = conn.default_channel
        try:
            channel.queue_purge(queue)
            channel.queue_delete(queue)
        except Exception as exc:  # an unknown queue (nothing was sent) is fine
            if "NOT_FOUND" not in str(exc):
                raise


def _wire_datetime(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def event_json(event: EventInput) -> dict[str, Any]:
    """An engine input as the sync API's JSON (only the fields the benchmark sets)."""
    body: dict[str, Any] = {
        "sourceId": event.source_id,
        "name": event.name,
        "description": event.description,
        "startsAt": _wire_datetime(event.starts_at),
        "endsAt": _wire_datetime(event.ends_at),
        "locationId": event.location_id,
        "entranceId": event.entrance_id,
        "host": {
            "email": event.host.email,
            "firstName": event.host.first_name,
            "lastName": event.host.last_name,
            "phoneNumber": event.host.phone_number,
        },
        "invitations": [
            {
                "sourceId": inv.source_id,
                "email": inv.email,
                "firstName": inv.first_name,
                "lastName": inv.last_name,
                "companyName": inv.company_name,
                "language": inv.language,
            }
            for inv in event.invitations
        ],
        "updatedAt": _wire_datetime(event.updated_at),
    }
    if event.deleted_at is not UNSET:
        body["deletedAt"] = _wire_datetime(event.deleted_at)
    return body


def _row_versions(integration: Integration) -> set[tuple[str, int, str]]:
    versions: set[tuple[str, int, str]] = set()
    with connection.cursor() as cursor:
        for table, condition in WRITTEN_TABLES.items():
            cursor.execute(f"SELECT id, xmin::text FROM {table} WHERE {condition}", [integration.pk])
            versions.update((table, pk, xmin) for pk, xmin in cursor.fetchall())
    return versions


def server_warm_up(*, port: int, token: str, requests: int = 12) -> None:
    """A few authenticated reads on fresh connections, so every worker has its database connection."""
    for _ in range(requests):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/api/v2/locations", headers={"Authorization": f"Bearer {token}"})
        conn.getresponse().read()
        conn.close()


def phase_run(
    *, name: str, port: int, token: str, integration: Integration, events: Sequence[EventInput], batch: int
) -> HttpPhase:
    bodies = [
        json.dumps(
            {
                "agentToken": str(integration.agent_token),
                "events": [event_json(event) for event in events[offset : offset + batch]],
            }
        ).encode()
        for offset in range(0, len(events), batch)
    ]
    before = _row_versions(integration)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    actions: Counter[str] = Counter()
    started = time.perf_counter()
    for body in bodies:
        conn.request(
            "PUT",
            "/api/v2/events",
            body=body,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        response = conn.getresponse()
        payload = response.read()
        if response.status != 200:
            raise CommandError(f"Phase {name!r}: HTTP {response.status}: {payload[:500]!r}")
        for result in json.loads(payload)["events"]:
            if result["status"] != "SUCCESS":
                raise CommandError(f"Phase {name!r}: the server refused an event: {result}")
            actions[result["action"]] += 1
    seconds = time.perf_counter() - started
    conn.close()
    return HttpPhase(
        name=name,
        events=len(events),
        seconds=seconds,
        body_bytes=sum(map(len, bodies)),
        rows_written=len(_row_versions(integration) - before),
        actions=actions,
    )
