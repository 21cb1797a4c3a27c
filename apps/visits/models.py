import secrets

from django.db import models

from apps.core.models import TimeStampedModel
from apps.directory.models import AccessProfile, Employee, Entrance, Location
from apps.integrations.models import Integration


class Language(models.TextChoices):
    CS = "CS", "Čeština"
    DE = "DE", "Deutsch"
    EN = "EN", "English"
    ES = "ES", "Español"
    FR = "FR", "Français"
    HR = "HR", "Hrvatski"
    HU = "HU", "Magyar"
    IT = "IT", "Italiano"
    NL = "NL", "Nederlands"
    PL = "PL", "Polski"
    RO = "RO", "Română"
    RU = "RU", "Русский"
    ZH_CN = "ZH_CN", "中文 (简体)"


class Event(TimeStampedModel):
    class Status(models.TextChoices):
        ACTIVE = "ACTIVE", "Active"
        CANCELLED = "CANCELLED", "Cancelled"

    # Null for events made in the portal itself; (integration, source_id) identifies a synced event.
    # No index of its own: the (integration, source_id) unique constraint serves lookups by integration.
    integration = models.ForeignKey(
        Integration, null=True, blank=True, on_delete=models.PROTECT, related_name="events", db_index=False
    )
    source_id = models.CharField(max_length=255, null=True, blank=True)  # noqa: DJ001 - NULL stays unique-free
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="events")
    entrance = models.ForeignKey(
        Entrance, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    host = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="hosted_events")
    creator = models.ForeignKey(
        Employee, null=True, blank=True, on_delete=models.SET_NULL, related_name="created_events"
    )
    custom_fields = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    # The `updatedAt` of the newest sync applied, for the out-of-order guard.
    source_updated_at = models.DateTimeField(null=True, blank=True)
    # When the event was cancelled (the `deletedAt` it was cancelled with); set exactly while CANCELLED.
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_at", "id"]
        constraints = [
            # NULLs are distinct, so portal-made events (no integration, no source id) never collide.
            models.UniqueConstraint(fields=["integration", "source_id"], name="event_unique_source_id"),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(status="CANCELLED", cancelled_at__isnull=False)
                | models.Q(status="ACTIVE", cancelled_at__isnull=True),
                name="event_cancelled_at_iff_cancelled",
            ),
        ]
        indexes = [
            models.Index(fields=["location", "starts_at"]),
            models.Index(fields=["integration", "updated_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.starts_at:%Y-%m-%d %H:%M} UTC)"


class Contact(TimeStampedModel):
    """A guest as a person: one per invitation `sourceId` within an integration, shared across events."""

    integration = models.ForeignKey(
        Integration, null=True, blank=True, on_delete=models.PROTECT, related_name="contacts", db_index=False
    )
    source_id = models.CharField(max_length=255, null=True, blank=True)  # noqa: DJ001 - NULL stays unique-free
    email = models.EmailField(max_length=254, blank=True)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    company_name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["integration", "source_id"], name="contact_unique_source_id"),
        ]

    def __str__(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        if name and self.email:
            return f"{name} <{self.email}>"
        return name or self.email or f"Contact {self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


def new_invitation_token() -> str:
    return secrets.token_urlsafe(24)


class Invitation(TimeStampedModel):
    class Status(models.TextChoices):
        INVITED = "INVITED", "Invited"
        CHECKED_IN = "CHECKED_IN", "Checked in"
        CHECKED_OUT = "CHECKED_OUT", "Checked out"
        CANCELLED = "CANCELLED", "Cancelled"

    class CancelReason(models.TextChoices):
        NONE = "", "—"
        REMOVED = "REMOVED", "Removed from the guest list"
        EVENT_CANCELLED = "EVENT_CANCELLED", "Event cancelled"

    # No index of its own: the (event, contact) unique constraint serves lookups by event.
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="invitations", db_index=False)
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="invitations")
    language = models.CharField(max_length=5, choices=Language.choices, default=Language.EN)
    custom_fields = models.JSONField(default=dict, blank=True)
    access_profiles = models.ManyToManyField(AccessProfile, blank=True, related_name="invitations")
    status = models.CharField(max_length=11, choices=Status.choices, default=Status.INVITED)
    # Why a cancelled invitation was cancelled: guests cancelled with their event come back with it.
    cancel_reason = models.CharField(max_length=15, choices=CancelReason.choices, default="", blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_out_at = models.DateTimeField(null=True, blank=True)
    # When the guest was removed or cancelled with the event; set exactly while CANCELLED.
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Opaque and unguessable: what the guest's QR code carries to reception.
    token = models.CharField(max_length=64, unique=True, default=new_invitation_token, editable=False)
    # Calendar SEQUENCE: raised with every update or cancellation sent for this invitation.
    sequence = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["event_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "contact"], name="invitation_unique_contact_per_event"),
            models.CheckConstraint(
                condition=models.Q(status="CANCELLED") | models.Q(cancel_reason=""),
                name="invitation_cancel_reason_only_when_cancelled",
            ),
            models.CheckConstraint(
                condition=models.Q(status="CANCELLED", cancelled_at__isnull=False)
                | (~models.Q(status="CANCELLED") & models.Q(cancelled_at__isnull=True)),
                name="invitation_cancelled_at_iff_cancelled",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact} → {self.event.name}"
