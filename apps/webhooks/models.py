"""Webhook endpoints an integration registers, and the deliveries (outbox rows) owed to them."""

from django.db import models

from apps.core.models import TimeStampedModel
from apps.integrations.models import Integration


class EventType(models.TextChoices):
    CHECKIN_CREATED = "checkin.created", "A guest arrived"
    CHECKIN_UPDATED = "checkin.updated", "A guest left"
    INVITATION_CANCELLED = "invitation.cancelled", "A guest was cancelled"


class WebhookEndpoint(TimeStampedModel):
    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=2000)
    # A list of EventType values, validated by the service that writes it.
    types = models.JSONField(default=list)
    is_active = models.BooleanField(default=True)
    # Kept in clear: signing needs it. "whsec_" + base64 of 32 random bytes, shown once when issued.
    secret = models.CharField(max_length=100, editable=False)
    # Why the portal switched the endpoint off (a 410 from the receiver); empty while active.
    deactivated_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["integration_id", "id"]

    def __str__(self) -> str:
        return f"{self.integration}: {self.url}"


class WebhookDelivery(TimeStampedModel):
    """One message owed to one endpoint: written in the transaction of the change behind it.

    `webhook_id` is the Standard Webhooks message id, the same on every attempt; `body` holds the exact
    bytes that are signed and sent, so a retry sends the same message.
    """

    class Status(models.TextChoices):
        PENDING = "PENDING", "Pending"
        # Claimed by one task run; only that run may post it (see services.webhook_delivery_send).
        SENDING = "SENDING", "Sending"
        SUCCEEDED = "SUCCEEDED", "Succeeded"
        FAILED = "FAILED", "Failed"

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    # What happened, e.g. "checkin.created:311": one delivery per (endpoint, message).
    message_key = models.CharField(max_length=200)
    webhook_id = models.CharField(max_length=64, unique=True)
    event_type = models.CharField(max_length=30, choices=EventType.choices)
    body = models.TextField()
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "message_key"], name="webhook_delivery_once"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event_type} to {self.endpoint.url} ({self.get_status_display()})"


class WebhookAttempt(models.Model):
    """One POST of a delivery: when, what came back, how long it took."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempts_made")
    started_at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField()
    error = models.TextField(blank=True)
    # The start of what the receiver answered (the read is capped at WEBHOOK_RESPONSE_MAX_BYTES).
    response_excerpt = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        outcome = self.status_code if self.status_code is not None else self.error or "no answer"
        return f"{self.started_at:%Y-%m-%d %H:%M:%S}: {outcome}"
