"""The record of privacy requests: exports, erasures and retention runs, without the address itself."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.visits.actors import Door


class PrivacyRecord(models.Model):
    """One export, erasure or retention run: who asked, when, what came of it.

    The address is kept only as a keyed hash (`apps.privacy.hashing.address_hash`), so the record proves
    that a request was handled without keeping the address it was about.
    """

    class Action(models.TextChoices):
        EXPORTED = "exported", _("Exported")
        ERASED = "erased", _("Erased")
        RETENTION = "retention", _("Retention run")

    created_at = models.DateTimeField(default=timezone.now)
    door = models.CharField(max_length=6, choices=Door.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="privacy_records",
        db_constraint=False,
        db_index=False,
    )
    # The actor by name, kept when the user is deleted later.
    actor = models.CharField(max_length=300)
    action = models.CharField(max_length=10, choices=Action.choices)
    # HMAC-SHA256 of the normalised address; empty for retention runs.
    address_hash = models.CharField(max_length=64, blank=True, db_index=True)
    counts = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [
            ("export_guest_data", "Can export guest data"),
            ("erase_guest_data", "Can erase guest data"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=["exported", "erased", "retention"]),
                name="privacy_record_action_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor}: {self.get_action_display()}"
