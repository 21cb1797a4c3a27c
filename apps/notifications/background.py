"""Delivery without a broker: one thread of the web process sends the outbox after the response.

`outbox_dispatch_on_commit` hands committed row ids here instead of to Celery when no broker is
configured (`make run`, a single-box demo). The thread calls the same idempotent `outbox_message_send` a
worker would, one row after another, and runs the relay every OUTBOX_RELAY_INTERVAL_SECONDS (and once at
start, for rows an earlier process left behind), so retries and backoff work without `celery beat`.

The queue lives only in memory, and that is safe: every row it names is committed as PENDING before it
is queued, so if the process stops, the rows not yet sent stay PENDING (or SENDING, for the one in
flight) and the relay of the next process, or `manage.py relay_outbox`, sends them.

The sender gives way to requests: composing an email (QR code, calendar file) needs the interpreter
that the process's requests need too, so while a request is being served it waits (at most a second per
message, so a busy portal still delivers), and a sync answers as fast as with a broker.

On SQLite every write here is one short autocommit statement (claim, then outcome) and no transaction is
held while talking to the SMTP server, so requests waiting for the write lock (IMMEDIATE, 20 s timeout)
wait for at most one statement.
"""

import logging
import os
import queue
import threading
import time
from collections.abc import Sequence

from django.conf import settings
from django.db import connections
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# A queue item that asks the thread to stop (after the message in hand).
_STOP = object()
# How long the sender waits for the process's requests to finish before sending the next message anyway.
YIELD_TO_REQUESTS_SECONDS = 1.0


class RequestGauge:
    """How many requests this process is serving right now (request_started / request_finished)."""

    def __init__(self) -> None:
        self._active = 0
        self._quiet = threading.Condition()

    def started(self, **kwargs) -> None:
        with self._quiet:
            self._active += 1

    def finished(self, **kwargs) -> None:
        with self._quiet:
            self._active = max(0, self._active - 1)
            if not self._active:
                self._quiet.notify_all()

    def wait_quiet(self, timeout: float) -> bool:
        with self._quiet:
            return self._quiet.wait_for(lambda: not self._active, timeout)


requests_in_progress = RequestGauge()


class BackgroundSender:
    def __init__(self) -> None:
        self.pid = os.getpid()
        self._queue: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="outbox-sender", daemon=True)
        self._stopping = threading.Event()

    def start(self) -> None:
        self._thread.start()

    def submit(self, message_ids: Sequence[int]) -> None:
        self._queue.put(list(message_ids))

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Whether everything queued so far has been handled (False when `timeout` ran out first)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._queue.all_tasks_done:
            while self._queue.unfinished_tasks:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._queue.all_tasks_done.wait(remaining)
        return True

    def stop_soon(self) -> None:
        """Stop after the message in hand; what is still queued stays PENDING for a relay."""
        self._stopping.set()
        self._queue.put(_STOP)

    def stop(self, timeout: float | None = None) -> None:
        self.stop_soon()
        self._thread.join(timeout)

    def _run(self) -> None:
        next_relay = time.monotonic()  # at once: rows an earlier process left behind
        while not self._stopping.is_set():
            try:
                item = self._queue.get(timeout=max(0.0, next_relay - time.monotonic()))
            except queue.Empty:
                self._relay()
                next_relay = time.monotonic() + settings.OUTBOX_RELAY_INTERVAL_SECONDS
                continue
            try:
                if item is not _STOP:
                    self._send(item)
            finally:
                self._queue.task_done()

    def _send(self, message_ids: list[int]) -> None:
        from apps.notifications.services import outbox_message_send

        try:
            for message_id in message_ids:
                requests_in_progress.wait_quiet(YIELD_TO_REQUESTS_SECONDS)
                if self._stopping.is_set():
                    return
                try:
                    outbox_message_send(message_id=message_id)
                except Exception:
                    # The row records what it can (PENDING or SENDING); the relay takes it from there.
                    logger.exception("Outbox message %s: delivery raised", message_id)
        finally:
            # The thread may sit idle for a long time; it must not keep a connection (or, on SQLite,
            # a file handle and its locks) open meanwhile.
            connections.close_all()

    def _relay(self) -> None:
        # Every relay `celery beat` would run (BACKGROUND_RELAYS: the outbox's, the webhooks'), so what a
        # stopped process left behind, and what waits out a backoff, goes out without a broker too.
        try:
            for path in settings.BACKGROUND_RELAYS:
                try:
                    import_string(path)()
                except Exception:
                    logger.exception(
                        "Relay %s failed; trying again in %s s", path, settings.OUTBOX_RELAY_INTERVAL_SECONDS
                    )
        finally:
            connections.close_all()


_lock = threading.Lock()
_sender: BackgroundSender | None = None


def outbox_background_sender() -> BackgroundSender:
    """This process's sender, started on first use (again in a forked child: threads do not survive)."""
    global _sender
    sender = _sender
    if sender is not None and sender.pid == os.getpid():
        return sender
    with _lock:
        if _sender is None or _sender.pid != os.getpid():
            _sender = BackgroundSender()
            _sender.start()
        return _sender


def outbox_background_submit(*, message_ids: Sequence[int]) -> None:
    """Queue committed outbox rows for the background sender; returns at once."""
    outbox_background_sender().submit(message_ids)


def outbox_background_stop(*, timeout: float | None = None) -> None:
    """Stop this process's sender, if it runs (the next submit starts a new one)."""
    global _sender
    with _lock:
        sender, _sender = _sender, None
    if sender is not None and sender.pid == os.getpid():
        sender.stop(timeout)
