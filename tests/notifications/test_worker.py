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

from apps.notifications.models import OutboxMessage
from apps.notifications.services import outbox_dispatch_on_commit
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
    def __init__(self, mail_dir: Path, log: Path) -> None:
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


@pytest.fixture
def worker(tmp_path):
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    log = tmp_path / "worker.log"
    # Messages left in the queue by an earlier interrupted run would otherwise be consumed first.
    celery_app.control.purge()
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        # django-environ drops one slash of the path.
        "EMAIL_URL": f"filemail:///{mail_dir}",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
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
                f"--hostname=notifications-test-{os.getpid()}@%h",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        yield Worker(mail_dir, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


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
