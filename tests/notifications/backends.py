"""Email backends that fail the way real SMTP servers do, for the delivery tests."""

import os
import threading
import time
from pathlib import Path

from django.core.mail.backends import filebased
from django.core.mail.backends.base import BaseEmailBackend


class RaisingEmailBackend(BaseEmailBackend):
    """Raises `RaisingEmailBackend.error` on every send, until a test sets it to None (then sends nothing)."""

    error: BaseException | None = None
    calls = 0

    def send_messages(self, email_messages):
        type(self).calls += 1
        if type(self).error is not None:
            raise type(self).error
        return 0


class GatedEmailBackend(BaseEmailBackend):
    """Holds every send until `GatedEmailBackend.gate` is set; `entered` tells that a send has begun."""

    entered = threading.Event()
    gate = threading.Event()
    # Shared on purpose: the sending thread appends, the test reads.
    sent: list = []

    @classmethod
    def reset(cls) -> None:
        cls.entered = threading.Event()
        cls.gate = threading.Event()
        cls.sent = []

    def send_messages(self, email_messages):
        type(self).entered.set()
        if not type(self).gate.wait(timeout=30):
            raise TimeoutError("the test never opened the gate")
        type(self).sent.extend(email_messages)
        return len(email_messages)


class StallingFileBackend(filebased.EmailBackend):
    """Writes messages like `filemail://`, and can stall for good before or after doing so.

    For a real worker that is then killed mid-send. STALL_SEND=before stalls before the message is
    written (it never left), STALL_SEND=after once it is written (the server had it); both first create
    the file STALL_MARKER, so the test knows the worker is inside the send.
    """

    def send_messages(self, email_messages):
        stall = os.environ.get("STALL_SEND", "")
        if stall == "before":
            self._stall()
        sent = super().send_messages(email_messages)
        if stall == "after":
            self._stall()
        return sent

    @staticmethod
    def _stall() -> None:
        Path(os.environ["STALL_MARKER"]).touch()
        time.sleep(3600)
