"""Creating and editing portal-made events in the admin: forms in, the engine's input out, its errors back.

The admin never saves an event itself: it builds the desired state (the event and its complete guest
list), calls the engine like every other door (same validation, audit trail and emails), and shows the
engine's errors next to the fields they concern. Times are typed in the chosen location's time zone.
"""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from collections.abc import Sequence

from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext_lazy as _

from apps.directory.models import Employee, Entrance, Location
from apps.visits.access import entrance_queryset_restrict, location_queryset_restrict
from apps.visits.actors import Actor
from apps.visits.models import Event, Invitation, Language
from apps.visits.services import portal_event_source_id_new
from apps.visits.sync import (
    EventInput,
    EventSyncResult,
    FieldError,
    InvitationInput,
    PersonInput,
    events_sync,
)

LOCAL_INPUT = "%Y-%m-%dT%H:%M"


class LocalDateTimeField(forms.DateTimeField):
    """A wall-clock time as typed; the form gives it the location's zone (not the server's)."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT)

    def to_python(self, value):
        parsed = super().to_python(value)
        return parsed.replace(tzinfo=None) if parsed is not None else None


class HostField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Employee) -> str:
        return f"{obj.full_name} ({obj.email})" if obj.full_name else obj.email


class EntranceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Entrance) -> str:
        return str(obj)


class EventEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=255)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    location = forms.ModelChoiceField(label=_("Location"), queryset=Location.objects.none())
    entrance = EntranceField(label=_("Entrance"), queryset=Entrance.objects.none(), required=False)
    starts_at = LocalDateTimeField(label=_("Starts (location's time)"))
    ends_at = LocalDateTimeField(label=_("Ends (location's time)"))
    host = HostField(label=_("Host"), queryset=Employee.objects.none())

    def __init__(self, *args, user: AbstractBaseUser, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = location_queryset_restrict(user=user).filter(is_active=True)
        self.fields["entrance"].queryset = entrance_queryset_restrict(user=user).select_related("location")
        self.fields["host"].queryset = Employee.objects.filter(is_active=True)

    def clean(self) -> dict:
        data = super().clean()
        location = data.get("location")
        if location is not None:
            # The typed times are the location's wall clock.
            zone = zoneinfo.ZoneInfo(location.timezone)
            for name in ("starts_at", "ends_at"):
                if data.get(name) is not None:
                    data[name] = data[name].replace(tzinfo=zone)
        return data


class GuestEditForm(forms.Form):
    source_id = forms.CharField(required=False, widget=forms.HiddenInput)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    company_name = forms.CharField(label=_("Company"), max_length=200, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices, initial=Language.EN)

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not any(data.get(name) for name in ("first_name", "last_name", "email", "company_name"))


GuestEditFormSet = forms.formset_factory(GuestEditForm, extra=3, can_delete=True)


def event_edit_initial(*, event: Event) -> tuple[dict, list[dict]]:
    """The form's and guest rows' initial values of an event, times in its location's zone."""
    zone = zoneinfo.ZoneInfo(event.location.timezone)
    initial = {
        "name": event.name,
        "description": event.description,
        "location": event.location_id,
        "entrance": event.entrance_id,
        "starts_at": event.starts_at.astimezone(zone).replace(tzinfo=None),
        "ends_at": event.ends_at.astimezone(zone).replace(tzinfo=None),
        "host": event.host_id,
    }
    guests = [
        {
            "source_id": invitation.contact.source_id,
            "first_name": invitation.contact.first_name,
            "last_name": invitation.contact.last_name,
            "email": invitation.contact.email,
            "company_name": invitation.contact.company_name,
            "language": invitation.language,
        }
        for invitation in event.invitations.exclude(status=Invitation.Status.CANCELLED)
        .select_related("contact")
        .order_by("pk")
    ]
    return initial, guests


# Engine paths of an event's own fields, as the form names them.
EVENT_PATHS = {
    "name": "name",
    "description": "description",
    "starts_at": "starts_at",
    "ends_at": "ends_at",
    "location_id": "location",
    "entrance_id": "entrance",
    "host": "host",
}
GUEST_FIELDS = {"first_name", "last_name", "email", "company_name", "language"}


def event_edit_save(
    *, actor: Actor, event: Event | None, form: EventEditForm, guests: Sequence[GuestEditForm]
) -> EventSyncResult:
    """Send the event and its complete guest list to the engine; guests left out (or deleted) are removed."""
    data = form.cleaned_data
    kept = [guest for guest in guests if guest.cleaned_data and not guest.cleaned_data.get("DELETE")]
    kept = [guest for guest in kept if not guest.is_blank()]
    invitations = [
        InvitationInput(
            # A guest keeps their key, so renaming them keeps their invitation.
            source_id=guest.cleaned_data["source_id"] or f"guest-{uuid.uuid4()}",
            email=guest.cleaned_data["email"] or None,
            first_name=guest.cleaned_data["first_name"],
            last_name=guest.cleaned_data["last_name"],
            company_name=guest.cleaned_data["company_name"],
            language=guest.cleaned_data["language"],
        )
        for guest in kept
    ]
    entrance = data.get("entrance")
    desired = EventInput(
        source_id=event.source_id if event is not None else portal_event_source_id_new(),
        name=data["name"],
        description=data["description"],
        starts_at=data["starts_at"],
        ends_at=data["ends_at"],
        location_id=data["location"].pk,
        entrance_id=entrance.pk if entrance is not None else None,
        host=PersonInput(email=data["host"].email),
        invitations=invitations,
    )
    (result,) = events_sync(actor=actor, events=[desired])
    if not result.ok:
        _errors_place(result.errors, form=form, guests=kept)
    return result


def _errors_place(
    errors: Sequence[FieldError], *, form: EventEditForm, guests: Sequence[GuestEditForm]
) -> None:
    for error in errors:
        path = tuple(error.path)
        message = str(error.message)
        if path and path[0] == "invitations" and len(path) >= 2 and isinstance(path[1], int):
            guest = guests[path[1]] if path[1] < len(guests) else None
            if guest is not None:
                field = path[2] if len(path) > 2 and path[2] in GUEST_FIELDS else None
                guest.add_error(field, message)
                continue
        field = EVENT_PATHS.get(str(path[0])) if path else None
        form.add_error(field, message)


def starts_in_zone(value: dt.datetime, timezone_name: str) -> str:
    local = value.astimezone(zoneinfo.ZoneInfo(timezone_name))
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"
