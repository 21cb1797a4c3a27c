import datetime as dt
import math
import zoneinfo
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from apps.core.languages import Language, language_default
from apps.core.models import TimeStampedModel
from apps.core.text import email_normalize
from apps.core.values import Message, email_problem, length_problem, phone_problem

MAX_CUSTOM_TEXT = 1_000
# JSON allows any size of integer; beyond 2^53 no JSON client reads it back exactly (and math.isfinite
# overflows on very large ones).
MAX_SAFE_INTEGER = 2**53


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not an IANA time zone name (e.g. Europe/Berlin).")


class Location(TimeStampedModel):
    name = models.CharField(max_length=200)
    address = models.TextField(blank=True)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    is_active = models.BooleanField(default=True)
    # Reception staff and location admins who work here; they see this location's visits and no other's.
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="work_locations",
        help_text="Reception staff and location admins who work at this location.",
    )
    # Days guest data is kept after an event here ends (apps/privacy); empty: GUEST_RETENTION_DAYS.
    retention_days = models.PositiveSmallIntegerField(
        _("Guest data kept for (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("1 to 3650 days after a visit ends; empty: the portal's default."),
    )

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
    # The language the portal writes to this employee in (host emails); the portal's own until chosen.
    language = models.CharField(max_length=5, choices=Language.choices, default=language_default)
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

    def value_problem(self, value: Any) -> Message | None:
        """Whether `value` fits this field's type and options (None is not a value: it clears)."""
        kind = self.FieldType
        match self.field_type:
            case kind.TEXT:
                if not isinstance(value, str):
                    return _("Expected text.")
                return length_problem(value, MAX_CUSTOM_TEXT)
            case kind.NUMBER:
                if isinstance(value, bool) or not isinstance(value, int | float):
                    return _("Expected a number.")
                if isinstance(value, int) and abs(value) > MAX_SAFE_INTEGER:
                    return _("Expected a number between -(2^53) and 2^53.")
                if isinstance(value, float) and not math.isfinite(value):
                    return _("Expected a number.")
            case kind.BOOLEAN:
                if not isinstance(value, bool):
                    return _("Expected true or false.")
            case kind.DATE:
                if not isinstance(value, str) or len(value) != 10:
                    return _("Expected a date as YYYY-MM-DD.")
                try:
                    dt.date.fromisoformat(value)
                except ValueError:
                    return _("Expected a date as YYYY-MM-DD.")
            case kind.SELECT:
                if not isinstance(value, str) or value not in self.options:
                    return format_lazy(_("Expected one of: {options}."), options=", ".join(self.options))
            case kind.EMAIL:
                if not isinstance(value, str):
                    return _("Expected an email address.")
                return email_problem(value)
            case kind.PHONE:
                if not isinstance(value, str):
                    return _("Expected a phone number.")
                return phone_problem(value)
        return None


def custom_fields_effective(
    *, event_values: dict[str, Any], invitation_values: dict[str, Any]
) -> dict[str, Any]:
    """Event-level values apply to every guest; a guest's own value for the same field wins."""
    return {**event_values, **invitation_values}


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
