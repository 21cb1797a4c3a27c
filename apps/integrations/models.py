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
