"""Email backends that fail the way real SMTP servers do, for the delivery tests."""

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
