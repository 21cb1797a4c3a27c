import uuid

from django.db import models

from apps.core.models import TimeStampedModel


class Integration(TimeStampedModel):
    """An external system that keeps the portal in step through the sync API."""

    name = models.CharField(max_length=200)
    # Only a SHA-256 of the bearer token is kept; the token itself is shown once, when issued.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_prefix = models.CharField(
        max_length=12, editable=False, help_text="The first characters of the token, to tell tokens apart."
    )
    agent_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class SyncRequest(models.Model):
    """One `PUT /api/v2/events`: what came in and what the engine made of it."""

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="sync_requests")
    received_at = models.DateTimeField()
    request_id = models.CharField(max_length=64)
    events_received = models.PositiveIntegerField()
    # {"SUCCESS": 998, "ERROR_VALIDATION": 2} and {"created": 10, "unchanged": 988}.
    statuses = models.JSONField(default=dict)
    actions = models.JSONField(default=dict)
    duration_ms = models.PositiveIntegerField()

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["integration", "received_at"]), models.Index(fields=["request_id"])]

    def __str__(self) -> str:
        return f"{self.integration}: {self.events_received} event(s) at {self.received_at:%Y-%m-%d %H:%M:%S}"


class CheckInGrant(models.Model):
    """An integration's check-in access to a location (an access-control system, a kiosk), set by a super
    admin: it sees every check-in there, whichever door made the visit, and may check guests in and out."""

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="checkin_grants")
    location = models.ForeignKey(
        "directory.Location", on_delete=models.CASCADE, related_name="checkin_grants"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["integration_id", "location_id"]
        verbose_name = "check-in access"
        verbose_name_plural = "check-in access"
        constraints = [
            models.UniqueConstraint(fields=["integration", "location"], name="checkin_grant_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.integration} → {self.location}"
