"""Crash drill (issue 15): kill -9 a Celery worker while it delivers a sync's invitations, several rounds.

Each round syncs EVENTS events of GUESTS guests through the API (one request), lets a prefork worker with
two processes deliver them to a real SMTP server (aiosmtpd, in this process), kills the worker and its
pool children with SIGKILL about 1.5 s into delivery, then starts a new worker and `celery beat` and
waits until every row of the round is settled. It then counts, per guest, the copies the SMTP server
accepted and their Message-IDs.

Needs PostgreSQL and Redis, and a database of its own (it is migrated and seeded with the demo data):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_drill CELERY_BROKER_URL=redis://127.0.0.1:6379/3 \\
        .venv/bin/python -m tests.notifications.crash_drill [--rounds 3] [--events 300] [--guests 3]
"""

import argparse
import asyncio
import datetime as dt
import io
import json
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from email.parser import BytesHeaderParser
from pathlib import Path

DRILL_ENV = {
    # Short, so that a round takes about a minute; the production defaults are in portal/settings.py.
    "OUTBOX_SENDING_STALE_SECONDS": "20",
    "OUTBOX_RELAY_INTERVAL_SECONDS": "5",
    "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "testserver,localhost",
    "DJANGO_SETTINGS_MODULE": "portal.settings",
}
KILL_AFTER_SECONDS = 1.5
SETTLED = ("SENT", "SKIPPED", "FAILED")
SETTLE_TIMEOUT_SECONDS = 300


class SmtpSink:
    """Accepts every message after a short pause (the server's work), and records what it accepted."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.accepted: list[tuple[str, tuple[str, ...]]] = []  # (Message-ID, recipients)
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        await asyncio.sleep(self.delay)
        headers = BytesHeaderParser().parsebytes(envelope.original_content or envelope.content)
        with self.lock:
            self.accepted.append((headers["Message-ID"], tuple(envelope.rcpt_tos)))
        return "250 OK"


def by_recipient(accepted: list[tuple[str, tuple[str, ...]]]) -> dict[str, set[str]]:
    ids: dict[str, set[str]] = {}
    for message_id, recipients in accepted:
        for recipient in recipients:
            ids.setdefault(recipient, set()).add(message_id)
    return ids


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def celery(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("a") as output:
        # A session of its own, so the worker and its pool children can be killed as one group.
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "portal", *args],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"Timed out waiting for {what}")
        time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--guests", type=int, default=3)
    parser.add_argument(
        "--smtp-delay", type=float, default=0.02, help="seconds the SMTP server takes per message"
    )
    options = parser.parse_args()
    for key, value in DRILL_ENV.items():
        os.environ.setdefault(key, value)
    if not os.environ.get("CELERY_BROKER_URL", "").startswith("redis") or "postgres" not in os.environ.get(
        "DATABASE_URL", ""
    ):
        raise SystemExit(
            "Set DATABASE_URL (PostgreSQL, a database of its own) and CELERY_BROKER_URL (Redis)."
        )

    import django

    django.setup()
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command
    from aiosmtpd.controller import Controller
    from django.core.management import call_command
    from django.test import Client

    from apps.directory.models import Location
    from apps.notifications.emails import outbox_message_id
    from apps.notifications.models import OutboxMessage
    from portal.celery import app as celery_app

    call_command("migrate", verbosity=0)
    seed = io.StringIO()
    call_command("seed_demo", "--force", stdout=seed)
    demo = json.loads(seed.getvalue().strip().splitlines()[-1])
    berlin = Location.objects.get(name="Berlin HQ")

    sink = SmtpSink(options.smtp_delay)
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    workdir = Path(tempfile.mkdtemp(prefix="crash-drill-"))
    env = {**os.environ, "EMAIL_URL": f"smtp://127.0.0.1:{port}"}
    worker_args = ["worker", "--concurrency=2", "--pool=prefork", "--loglevel=INFO", "--without-gossip"]
    api = Client(headers={"Authorization": f"Bearer {demo['token']}"})
    run = secrets.token_hex(3)
    results = []

    for number in range(1, options.rounds + 1):
        celery_app.control.purge()
        before = len(sink.accepted)
        log = workdir / f"round-{number}.log"
        doomed = celery(worker_args, env, log)
        wait_until(lambda log=log: "ready." in log.read_text(), 60, "the worker to start")

        starts = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=30 + number)
        events = [
            {
                "sourceId": f"drill-{run}-{number}-{n}",
                "name": f"Drill {number}.{n}",
                "startsAt": (starts + dt.timedelta(hours=n)).isoformat(),
                "endsAt": (starts + dt.timedelta(hours=n, minutes=30)).isoformat(),
                "locationId": berlin.id,
                "host": {"email": "jan.novak@demo.example"},
                "invitations": [
                    {
                        "sourceId": f"guest-{run}-{number}-{n}-{g}",
                        "email": f"guest-{run}-{number}-{n}-{g}@example.org",
                        "firstName": "G",
                    }
                    for g in range(options.guests)
                ],
            }
            for n in range(options.events)
        ]
        response = api.put(
            "/api/v2/events",
            json.dumps({"agentToken": demo["agentToken"], "events": events}),
            content_type="application/json",
        )
        assert response.status_code == 200, response.content[:500]
        rows = list(OutboxMessage.objects.filter(event__source_id__startswith=f"drill-{run}-{number}-"))

        wait_until(lambda before=before: len(sink.accepted) > before, 60, "delivery to begin")
        time.sleep(KILL_AFTER_SECONDS)
        os.killpg(doomed.pid, signal.SIGKILL)
        doomed.wait()
        killed_at = Counter(
            OutboxMessage.objects.filter(pk__in=[r.pk for r in rows]).values_list("status", flat=True)
        )
        accepted_at_kill = len(sink.accepted) - before

        survivor = celery(worker_args, env, log)
        beat = celery(["beat", "--loglevel=INFO", f"--schedule={workdir / f'beat-{number}'}"], env, log)
        started = time.monotonic()
        wait_until(
            lambda rows=rows: (
                not OutboxMessage.objects.filter(pk__in=[r.pk for r in rows])
                .exclude(status__in=SETTLED)
                .exists()
            ),
            SETTLE_TIMEOUT_SECONDS,
            "every message of the round to be settled",
        )
        recovery = time.monotonic() - started
        for process in (survivor, beat):
            process.terminate()
            process.wait()

        copies = Counter(message_id for message_id, _ in sink.accepted[before:])
        expected = {outbox_message_id(message=r): r for r in rows}
        final = Counter(
            OutboxMessage.objects.filter(pk__in=[r.pk for r in rows]).values_list("status", flat=True)
        )
        guests = [r for r in rows if r.kind == OutboxMessage.Kind.INVITATION]
        result = {
            "round": number,
            "messages": len(rows),
            "accepted_before_kill": accepted_at_kill,
            "in_flight_at_kill": killed_at.get("SENDING", 0),
            "pending_at_kill": killed_at.get("PENDING", 0),
            "status_after": dict(final),
            "guests_with_invitation": sum(1 for r in guests if copies[outbox_message_id(message=r)] >= 1),
            "guests": len(guests),
            "lost": sum(1 for message_id in expected if copies[message_id] == 0),
            "duplicated": sum(1 for message_id in expected if copies[message_id] > 1),
            # Each recipient is owed one message a round: several ids for one would be a fresh message.
            "recipients_with_several_ids": sum(
                1
                for ids in by_recipient([a for a in sink.accepted[before:] if a[0] in expected]).values()
                if len(ids) > 1
            ),
            "recovery_seconds": round(recovery, 1),
        }
        results.append(result)
        print(json.dumps(result), flush=True)

    controller.stop()
    print(
        "| round | messages | accepted before kill | sending at kill | guests with invitation | lost "
        "| duplicates (same Message-ID) | all settled after |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        print(
            f"| {r['round']} | {r['messages']} | {r['accepted_before_kill']} | {r['in_flight_at_kill']} "
            f"| {r['guests_with_invitation']}/{r['guests']} | {r['lost']} | {r['duplicated']} "
            f"| {r['recovery_seconds']} s |"
        )


if __name__ == "__main__":
    main()
