"""The visit form and its guest rows: they parse what was typed into typed values, nothing more.

Whether a visit may be saved (times in order, a valid email, a host allowed at the location…) is the
engine's decision; its errors come back onto these fields through apps/invites/engine_io.py.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.text import email_normalize
from apps.directory.models import CustomField, Employee, Entrance, Location
from apps.invites.fields import custom_fields_add
from apps.visits.models import Language

GUEST_PREFIX = "guests"
MAX_GUESTS = 500


class LocationSelect(forms.Select):
    """Each option carries its location's time zone, so the page can name the zone next to the times."""

    def __init__(self, *args: Any, zones: dict[int, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zones = zones

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        zone = self.zones.get(_as_int(value))
        if zone:
            option["attrs"]["data-timezone"] = zone
        return option


class EntranceSelect(forms.Select):
    """Each option names its location, so the page can offer only the chosen location's entrances."""

    def __init__(self, *args: Any, locations: dict[int, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.locations = locations

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        location_id = self.locations.get(_as_int(value))
        if location_id is not None:
            option["attrs"]["data-location"] = str(location_id)
        return option


def _as_int(value: Any) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


class VisitForm(forms.Form):
    name = forms.CharField(label=_("Title"), max_length=255)
    location = forms.TypedChoiceField(label=_("Location"), coerce=int)
    entrance = forms.TypedChoiceField(label=_("Entrance"), coerce=int, required=False, empty_value=None)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    start_time = forms.TimeField(
        label=_("Start time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    end_time = forms.TimeField(
        label=_("End time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self,
        *args: Any,
        locations: list[Location],
        entrances: list[Entrance],
        custom_fields: list[CustomField],
        colleagues: list[Employee] | None = None,
        custom_initial: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.zones = {loc.pk: loc.timezone for loc in locations}
        self.fields["location"].choices = [("", "—"), *((loc.pk, loc.name) for loc in locations)]
        self.fields["location"].widget = LocationSelect(
            zones=self.zones, choices=self.fields["location"].choices
        )
        names = {loc.pk: loc.name for loc in locations}
        grouped: dict[str, list[tuple[int, str]]] = {}
        for entrance in entrances:
            grouped.setdefault(names.get(entrance.location_id, ""), []).append((entrance.pk, entrance.name))
        self.fields["entrance"].choices = [("", _("Any entrance")), *grouped.items()]
        self.fields["entrance"].widget = EntranceSelect(
            locations={e.pk: e.location_id for e in entrances}, choices=self.fields["entrance"].choices
        )
        self.custom_fields = custom_fields
        custom_fields_add(self, custom_fields, custom_initial or {})
        if colleagues is not None:
            self.fields["host"] = forms.TypedChoiceField(
                label=_("Host"),
                coerce=int,
                choices=[(e.pk, str(e)) for e in colleagues],
                help_text=_("Who receives the guests."),
            )
            self.colleagues = {e.pk: e for e in colleagues}

    @property
    def event_custom_fields(self) -> list[forms.BoundField]:
        return [self[f"cf_{f.pk}"] for f in self.custom_fields]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        zone_name = self.zones.get(data.get("location"))
        if zone_name and data.get("date") and data.get("start_time") and data.get("end_time"):
            zone = zoneinfo.ZoneInfo(zone_name)
            data["starts_at"] = dt.datetime.combine(data["date"], data["start_time"], tzinfo=zone)
            data["ends_at"] = dt.datetime.combine(data["date"], data["end_time"], tzinfo=zone)
        return data


class GuestForm(forms.Form):
    # The invitation this row edits (blank for a new guest). Only the visit's own invitations count;
    # any other number makes the row a new guest.
    guest = forms.IntegerField(required=False, widget=forms.HiddenInput)
    first_name = forms.CharField(label=_("First name"), required=False, max_length=150)
    last_name = forms.CharField(label=_("Last name"), required=False, max_length=150)
    email = forms.CharField(
        label=_("Email"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    company_name = forms.CharField(label=_("Company"), required=False, max_length=200)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices, initial=Language.EN)

    def __init__(
        self, *args: Any, custom_fields: list[CustomField], custom_initial: dict | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name", "company_name"):
            self.fields[name].widget.attrs["autocomplete"] = "off"
        self.custom_fields = custom_fields
        custom_fields_add(self, custom_fields, custom_initial or {})

    @property
    def guest_custom_fields(self) -> list[forms.BoundField]:
        return [self[f"cf_{f.pk}"] for f in self.custom_fields]

    def is_blank(self) -> bool:
        """A row left empty (no one typed into it); such rows are ignored."""
        data = self.cleaned_data
        typed = any((data.get(k) or "").strip() for k in ("first_name", "last_name", "email", "company_name"))
        return not typed and not data.get("guest")


class BaseGuestFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        # Each row has a key of its own, so the engine would take a repeated row for a second guest;
        # the same person twice (a paste pasted twice) is refused as the engine refuses it without keys.
        seen: set[tuple[str, str, str]] = set()
        for form in self.forms:
            if not form.is_valid() or form.cleaned_data.get("DELETE") or form.is_blank():
                continue
            data = form.cleaned_data
            identity = (
                email_normalize(data["email"]),
                data["first_name"].strip().lower(),
                data["last_name"].strip().lower(),
            )
            if identity in seen:
                form.add_error(None, _("This guest is already on the list."))
            seen.add(identity)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        kwargs = super().get_form_kwargs(index)
        initials = kwargs.pop("custom_initials", None) or []
        kwargs["custom_initial"] = initials[index] if index is not None and index < len(initials) else {}
        return kwargs


GuestFormSet = forms.formset_factory(
    GuestForm,
    formset=BaseGuestFormSet,
    extra=0,
    can_delete=True,
    max_num=MAX_GUESTS,
    validate_max=True,
    absolute_max=MAX_GUESTS,
)
