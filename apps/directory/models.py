import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower

from apps.core.models import TimeStampedModel
from apps.core.text import email_normalize


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not an IANA time zone name (e.g. Europe/Berlin).")


class Location(TimeStampedModel):
    name = models.CharField(max_length=200)
    address = models.TextField(blank=True)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Entrance(TimeStampedModel):
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="entrances")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["location_id", "name", "id"]

    def __str__(self) -> str:
        return f"{self.location.name}: {self.name}"


class Employee(TimeStampedModel):
    # Stored lower-cased (a check constraint enforces it) so the plain unique index doubles as the
    # conflict target of the engine's INSERT … ON CONFLICT upserts.
    email = models.EmailField(max_length=254, unique=True)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    phone_number = models.CharField(max_length=50, blank=True)
    is_active = models.BooleanField(default=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="employee"
    )
    hosting_locations = models.ManyToManyField(
        Location,
        blank=True,
        related_name="hosts",
        help_text="Locations where this employee may host guests. None means anywhere.",
    )

    class Meta:
        ordering = ["last_name", "first_name", "email"]
        constraints = [
            models.CheckConstraint(condition=models.Q(email=Lower("email")), name="employee_email_lowercase"),
        ]

    def __str__(self) -> str:
        name = self.full_name
        return f"{name} <{self.email}>" if name else self.email

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def clean(self) -> None:
        self.email = email_normalize(self.email)


class CustomField(TimeStampedModel):
    class FieldType(models.TextChoices):
        TEXT = "TEXT", "Text"
        NUMBER = "NUMBER", "Number"
        BOOLEAN = "BOOLEAN", "Yes/no"
        DATE = "DATE", "Date"
        SELECT = "SELECT", "Select"
        EMAIL = "EMAIL", "Email"
        PHONE = "PHONE", "Phone"

    class Scope(models.TextChoices):
        EVENT = "EVENT", "Events"
        INVITATION = "INVITATION", "Invitations"
        BOTH = "BOTH", "Events and invitations"

    name = models.CharField(max_length=200)
    field_type = models.CharField(max_length=10, choices=FieldType.choices, default=FieldType.TEXT)
    options = models.JSONField(default=list, blank=True, help_text="The allowed values of a select field.")
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.BOTH)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not isinstance(self.options, list) or not all(isinstance(o, str) and o for o in self.options):
            raise ValidationError({"options": "Options must be a list of non-empty strings."})
        if self.field_type == self.FieldType.SELECT and not self.options:
            raise ValidationError({"options": "A select field needs at least one option."})

    def applies_to_events(self) -> bool:
        return self.scope in (self.Scope.EVENT, self.Scope.BOTH)

    def applies_to_invitations(self) -> bool:
        return self.scope in (self.Scope.INVITATION, self.Scope.BOTH)


class AccessPartition(TimeStampedModel):
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class AccessProfile(TimeStampedModel):
    partition = models.ForeignKey(AccessPartition, on_delete=models.CASCADE, related_name="profiles")
    source_id = models.CharField(max_length=255)
    name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["partition_id", "source_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partition", "source_id"], name="access_profile_unique_source_id"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partition.name}: {self.name or self.source_id}"
