"""Delivery through a real `celery -A portal worker` process on Redis, sharing the PostgreSQL test database.

The test process must itself be started with CELERY_BROKER_URL (so `.delay()` goes to the broker) and a
PostgreSQL DATABASE_URL (a worker cannot see an in-memory SQLite test database).
"""

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection, transaction

from apps.notifications.emails import outbox_message_id
from apps.notifications.models import OutboxMessage
from apps.notifications.services import outbox_dispatch_on_commit, outbox_relay
from apps.notifications.tasks import outbox_message_deliver
from portal.celery import app as celery_app
from tests.factories import InvitationFactory, OutboxMessageFactory

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TIMEOUT_SECONDS = 60


def test_database_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{quote(db['NAME'])}"


test_database_url.__test__ = False  # a helper, not a test


class Worker:
    def __init__(self, process: subprocess.Popen, mail_dir: Path, log: Path) -> None:
        self.process = process
        self.mail_dir = mail_dir
        self.log = log

    def emails(self) -> list[str]:
        return [path.read_text() for path in sorted(self.mail_dir.glob("*.log"))]

    def wait_for(self, condition: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.2)
        pytest.fail(f"Timed out waiting for {what}. Worker log:\n{self.log.read_text()}")

    def kill(self) -> None:
        """kill -9: no warm shutdown, no acknowledgement, nothing written back."""
        self.process.kill()
        self.process.wait()


@pytest.fixture
def start_worker(tmp_path):
    """Starts `celery -A portal worker` processes sharing one mail folder; stops them after the test."""
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    # Messages left in the queue by an earlier interrupted run would otherwise be consumed first.
    celery_app.control.purge()
    processes: list[subprocess.Popen] = []

    def start(**env_overrides: str) -> Worker:
        log = tmp_path / f"worker-{len(processes)}.log"
        env = {
            **os.environ,
            "DATABASE_URL": test_database_url(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "DJANGO_SETTINGS_MODULE": "tests.notifications.worker_settings",
            "TEST_MAIL_DIR": str(mail_dir),
            "STALL_MARKER": str(tmp_path / "in-send"),
            **env_overrides,
        }
        with log.open("w") as output:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "portal",
                    "worker",
                    "--pool=solo",
                    "--loglevel=INFO",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    f"--hostname=notifications-test-{os.getpid()}-{len(processes)}@%h",
                ],
                cwd=settings.BASE_DIR,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        processes.append(process)
        return Worker(process, mail_dir, log)

    yield start
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def worker(start_worker):
    return start_worker()


def test_worker_delivers_a_message_dispatched_on_commit(worker):
    invitation = InvitationFactory(contact__email="grace@example.org", contact__first_name="Grace")

    with transaction.atomic():
        message = OutboxMessageFactory(invitation=invitation)
        outbox_dispatch_on_commit(message_ids=[message.pk])

    worker.wait_for(
        lambda: OutboxMessage.objects.get(pk=message.pk).status == "SENT", "the worker to send the message"
    )
    [sent] = worker.emails()
    assert f"To: Grace {invitation.contact.last_name} <grace@example.org>" in sent
    assert "Content-Type: text/calendar" in sent
    assert "Content-Type: image/png" in sent


def test_worker_running_the_task_twice_sends_once(worker):
    message = OutboxMessageFactory()
    later = OutboxMessageFactory()

    outbox_message_deliver.delay(message_id=message.pk)
    outbox_message_deliver.delay(message_id=message.pk)
    # One solo worker takes tasks in queue order: once `later` is sent, both runs of `message` are done.
    outbox_message_deliver.delay(message_id=later.pk)

    worker.wait_for(lambda: OutboxMessage.objects.get(pk=later.pk).status == "SENT", "the worker to drain")
    message.refresh_from_db()
    recipients = [line for email in worker.emails() for line in email.splitlines() if line.startswith("To: ")]
    assert (message.status, message.attempts) == ("SENT", 1)
    assert sorted(recipients) == sorted(
        f"To: {m.invitation.contact.full_name} <{m.invitation.contact.email}>" for m in (message, later)
    )


def message_ids(emails: list[str]) -> list[str]:
    return [
        line.split(":", 1)[1].strip()
        for email in emails
        for line in email.splitlines()
        if line.startswith("Message-ID:")
    ]


@pytest.mark.parametrize(("stall", "copies"), [("before", 1), ("after", 2)])
def test_worker_killed_mid_send_ends_with_the_message_delivered(
    start_worker, settings, tmp_path, stall, copies
):
    """kill -9 while the email is with the server: sent again by the relay, once if the first copy never
    left, and with the same Message-ID if it did; the task Redis hands out again then does nothing."""
    settings.OUTBOX_SENDING_STALE_SECONDS = 1
    message = OutboxMessageFactory()
    doomed = start_worker(STALL_SEND=stall)
    with transaction.atomic():
        outbox_dispatch_on_commit(message_ids=[message.pk])
    doomed.wait_for((tmp_path / "in-send").exists, "the worker to be inside the send")

    doomed.kill()
    time.sleep(1.1)  # past the stale limit
    report = outbox_relay()
    # A short visibility timeout, so this worker also gets the dead worker's unacknowledged task back.
    survivor = start_worker(CELERY_VISIBILITY_TIMEOUT="2", CELERY_UNACKED_RESTORE_INTERVAL="1")

    survivor.wait_for(
        lambda: OutboxMessage.objects.get(pk=message.pk).status == "SENT", "the message to be sent"
    )
    survivor.wait_for(lambda: "'not_claimed'" in survivor.log.read_text(), "the redelivered task to run")
    message.refresh_from_db()
    logs = f"Killed worker:\n{doomed.log.read_text()}\nSurvivor:\n{survivor.log.read_text()}"
    assert (report.revived, report.enqueued, message.attempts) == (1, 1, 2), logs
    assert message_ids(survivor.emails()) == [outbox_message_id(message=message)] * copies, logs
    assert survivor.log.read_text().count("'sent'") == 1, logs
