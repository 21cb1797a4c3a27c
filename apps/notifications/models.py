from django.db import models

from apps.core.models import TimeStampedModel
from apps.directory.models import Employee
from apps.visits.models import Event, Invitation


class OutboxMessage(TimeStampedModel):
    """One message owed to a guest or host, written in the same transaction as the change behind it."""

    class Kind(models.TextChoices):
        INVITATION = "INVITATION", "Invitation"
        UPDATE = "UPDATE", "Update"
        CANCELLATION = "CANCELLATION", "Cancellation"
        HOST_SUMMARY = "HOST_SUMMARY", "Host confirmation"
        # To the host (`employee`) about the guest (`invitation`) reception has just checked in.
        ARRIVAL = "ARRIVAL", "Guest arrived"

    class Status(models.TextChoices):
        PENDING = "PENDING", "Pending"
        # Claimed by one task run; only that run may send it (see services.outbox_message_send).
        SENDING = "SENDING", "Sending"
        SENT = "SENT", "Sent"
        # Nothing to send: the recipient has no email address, or a later change superseded the message.
        SKIPPED = "SKIPPED", "Skipped"
        FAILED = "FAILED", "Failed"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    # Indexed but not checked by the database: the engine writes a row per guest in the same transaction
    # as the guest, and checking 10,000 references per column at commit measured some 100 ms each, a
    # tenth of a 1,000-event sync. Django's collector still cascades when an event or guest goes.
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="outbox_messages", db_constraint=False
    )
    # Guest messages name their invitation; host confirmations name the host.
    invitation = models.ForeignKey(
        Invitation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outbox_messages",
        db_constraint=False,
    )
    employee = models.ForeignKey(
        Employee, null=True, blank=True, on_delete=models.CASCADE, related_name="outbox_messages"
    )
    # Guest messages: {"sequence": n}, the calendar SEQUENCE at the time of the change.
    # Host confirmations: {"invited": [invitation ids], "removed": [invitation ids]}.
    payload = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=7, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # When the current (or last) delivery attempt claimed the row; a row stuck in SENDING long after
    # it was claimed belongs to a worker that died mid-send.
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Set after a transient failure: the relay leaves the row alone until then (backoff).
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="HOST_SUMMARY", employee__isnull=False, invitation__isnull=True)
                    | (~models.Q(kind="HOST_SUMMARY") & models.Q(invitation__isnull=False))
                ),
                name="outbox_recipient_matches_kind",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        recipient = self.invitation.contact if self.invitation_id else self.employee
        return f"{self.get_kind_display()} to {recipient} ({self.get_status_display()})"
