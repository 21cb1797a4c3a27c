import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.languages import Language
from apps.core.models import TimeStampedModel
from apps.directory.models import AccessProfile, Employee, Entrance, Location
from apps.integrations.models import Integration
from apps.visits.actors import Door


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
    # When its guests' data was erased for retention (apps/privacy); read-only for integrations since.
    anonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_at", "id"]
        constraints = [
            # NULLs are distinct, so portal-made events (no integration, no source id) never collide.
            models.UniqueConstraint(fields=["integration", "source_id"], name="event_unique_source_id"),
            # The portal's own events (no integration) are keyed by the portal's source ids, unique too.
            models.UniqueConstraint(
                fields=["source_id"],
                condition=models.Q(integration__isnull=True),
                name="event_unique_portal_source_id",
            ),
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
            # The read API pages an integration's events in this order: a page reads only its own rows.
            models.Index(fields=["integration", "starts_at", "id"]),
            # Retention looks for events that ended long ago and still hold guest data.
            models.Index(
                fields=["ends_at"], condition=models.Q(anonymised_at__isnull=True), name="event_retention_due"
            ),
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


class CheckIn(TimeStampedModel):
    """One arrival of one guest: a guest who leaves and comes back (a multi-day visit) gets a new one.

    Written only by the check-in services (apps/visits/checkins.py), next to the invitation's status,
    which follows the latest check-in. `location` is where the guest arrived (the event's location then).
    """

    class State(models.TextChoices):
        ON_SITE = "ON_SITE", _("On site")
        LEFT = "LEFT", _("Left")

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="check_ins")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="check_ins")
    entrance = models.ForeignKey(
        Entrance, null=True, blank=True, on_delete=models.SET_NULL, related_name="check_ins"
    )
    arrived_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-arrived_at", "-id"]
        constraints = [
            # A guest is on site once: two desks (or a desk and the API) racing record one arrival.
            models.UniqueConstraint(
                fields=["invitation"], condition=models.Q(left_at__isnull=True), name="checkin_one_open"
            ),
            models.CheckConstraint(
                condition=models.Q(left_at__isnull=True) | models.Q(left_at__gte=models.F("arrived_at")),
                name="checkin_leaves_after_arrival",
            ),
        ]
        indexes = [
            models.Index(fields=["arrived_at", "id"]),
            models.Index(fields=["location", "arrived_at"]),
            models.Index(fields=["updated_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.invitation.contact} at {self.arrived_at:%Y-%m-%d %H:%M} UTC"

    @property
    def state(self) -> str:
        return self.State.ON_SITE if self.left_at is None else self.State.LEFT


class AuditEntry(models.Model):
    """One change to an event or a guest: who made it, through which door, and what changed.

    Written by the engine and the check-in services in the same transaction as the change itself, set-based
    like the rest of the engine. Never edited: the admin shows it read-only.
    """

    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        UPDATED = "updated", _("Updated")
        CANCELLED = "cancelled", _("Cancelled")
        REACTIVATED = "reactivated", _("Reactivated")
        INVITED = "invited", _("Invited")
        REMOVED = "removed", _("Removed")
        CHECKED_IN = "checked_in", _("Checked in")
        CHECKED_OUT = "checked_out", _("Checked out")

    created_at = models.DateTimeField(default=timezone.now)
    door = models.CharField(max_length=6, choices=Door.choices)
    # The actor, by reference while it exists and by name for ever (`actor`); neither checked by the
    # database (as below) nor indexed (filter by the `actor` name).
    integration = models.ForeignKey(
        Integration,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries",
        db_constraint=False,
        db_index=False,
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries",
        db_constraint=False,
        db_index=False,
    )
    actor = models.CharField(max_length=300)
    request_id = models.CharField(max_length=64, blank=True)
    # Indexed for an event's or a guest's history, but not checked by the database: the log is written
    # by the engine in the same transaction as its subject, and the check costs some 100 ms per 11,000
    # entries at commit (measured), a tenth of a 1,000-event sync. Django's collector still cascades.
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="audit_entries", db_constraint=False
    )
    invitation = models.ForeignKey(
        Invitation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="audit_entries",
        db_constraint=False,
    )
    action = models.CharField(max_length=12, choices=Action.choices)
    # {"field": [old, new]} in the engine's own terms; old is null for what a creation set.
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["created_at"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(door__in=Door.values), name="audit_entry_door_valid"),
            models.CheckConstraint(
                condition=models.Q(
                    action__in=[
                        "created",
                        "updated",
                        "cancelled",
                        "reactivated",
                        "invited",
                        "removed",
                        "checked_in",
                        "checked_out",
                    ]
                ),
                name="audit_entry_action_valid",
            ),
        ]

    def __str__(self) -> str:
        subject = f"invitation {self.invitation_id}" if self.invitation_id else f"event {self.event_id}"
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor}: {self.get_action_display()} {subject}"
