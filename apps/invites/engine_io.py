"""Between the portal's forms and the engine: the desired state from a valid form, and the engine's
errors back onto the fields (guest rows included) in the user's language."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from apps.directory.models import Employee
from apps.invites.fields import custom_values
from apps.invites.forms import GuestForm, VisitForm
from apps.visits.models import Invitation
from apps.visits.sync import (
    UNSET,
    ErrorCode,
    EventInput,
    EventSyncResult,
    FieldError,
    InvitationInput,
    PersonInput,
)

ARRIVED = (Invitation.Status.CHECKED_IN, Invitation.Status.CHECKED_OUT)

# The engine's event paths and the visit form's fields.
EVENT_FIELDS = {
    "name": "name",
    "description": "description",
    "starts_at": "start_time",
    "ends_at": "end_time",
    "location_id": "location",
    "entrance_id": "entrance",
}
GUEST_FIELDS = {"first_name", "last_name", "email", "company_name", "language"}


def guest_source_id_new() -> str:
    """A guest's own key: a guest the portal adds keeps it, so a renamed guest stays the same guest."""
    return f"guest-{uuid.uuid4()}"


@dataclass
class DesiredVisit:
    event: EventInput
    # For each guest sent to the engine (by position), the form row it came from.
    rows: list[GuestForm] = field(default_factory=list)


def visit_input_build(
    *,
    source_id: str,
    form: VisitForm,
    guest_forms: list[GuestForm],
    host: Employee,
    creator: Employee | None,
    current_guests: list[Invitation],
) -> DesiredVisit:
    """The whole desired state of the visit: its fields and its complete guest list.

    A row's guest is the visit's own invitation only if the row names one of them; its key (the
    contact's source id) is sent back unchanged. Rows ticked for removal are left out, so the engine
    cancels them; arrived guests cannot be removed and are always kept. Without a `creator` the
    stored one stays.
    """
    data = form.cleaned_data
    current = {inv.pk: inv for inv in current_guests}
    desired = DesiredVisit(
        event=EventInput(
            source_id=source_id,
            name=data["name"],
            description=data["description"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            location_id=data["location"],
            entrance_id=data["entrance"],
            host=PersonInput(email=host.email),
            creator=PersonInput(email=creator.email) if creator is not None else UNSET,
            custom_fields=custom_values(form, form.custom_fields),
            invitations=[],
        )
    )
    for row in guest_forms:
        existing = current.get(row.cleaned_data.get("guest") or 0)
        removing = row.cleaned_data.get("DELETE") and not (existing and existing.status in ARRIVED)
        if removing or (existing is None and row.is_blank()):
            continue
        guest = row.cleaned_data
        if existing is not None:
            # A guest without a key of its own (made elsewhere) is matched by email and name.
            key: str | None = existing.contact.source_id
        else:
            key = guest_source_id_new()
        desired.event.invitations.append(
            InvitationInput(
                source_id=key if key is not None else UNSET,
                email=guest["email"].strip(),
                first_name=guest["first_name"].strip(),
                last_name=guest["last_name"].strip(),
                company_name=guest["company_name"].strip(),
                language=guest["language"],
                custom_fields=custom_values(row, row.custom_fields),
            )
        )
        desired.rows.append(row)
    return desired


def _wording(error: FieldError, *, host: Employee) -> Any:
    """The portal's own words where the engine's speak of ids or wire names; its message otherwise."""
    match error.code:
        case ErrorCode.REQUIRED | ErrorCode.NULL | ErrorCode.BLANK:
            return _("This field is required.")
        case ErrorCode.INVALID_EMAIL:
            return _("Enter a valid email address.")
        case ErrorCode.HOST_NOT_ALLOWED:
            return format_lazy(
                _("{host} may not host visitors at this location."), host=host.full_name or host.email
            )
        case ErrorCode.HOST_DEACTIVATED:
            return format_lazy(_("{host} is deactivated and cannot host."), host=host.full_name or host.email)
        case ErrorCode.LOCATION_NOT_FOUND:
            return _("This location is not available.")
        case ErrorCode.ENTRANCE_NOT_FOUND | ErrorCode.ENTRANCE_NOT_AT_LOCATION:
            return _("Choose an entrance of the visit's location.")
        case ErrorCode.NEEDS_EMAIL_OR_NAME:
            return _("Enter the guest's name or email address.")
        case ErrorCode.DUPLICATE_INVITATION:
            return _("This guest is already on the list.")
        case ErrorCode.CUSTOM_FIELD_NOT_FOUND:
            return _("This field is no longer available; reload the page.")
    return error.message


def _add(form: forms.Form, name: str | None, message: Any) -> None:
    if name is not None and name not in form.fields:
        name = None
    form.add_error(name, message)


def errors_attach(
    *,
    result: EventSyncResult,
    desired: DesiredVisit,
    form: VisitForm,
    host: Employee,
) -> None:
    """Put each of the engine's errors next to the field (or guest row) it is about."""
    for error in result.errors:
        message = _wording(error, host=host)
        path = error.path
        head = path[0] if path else None
        if (
            head == "invitations"
            and len(path) >= 2
            and isinstance(path[1], int)
            and path[1] < len(desired.rows)
        ):
            row = desired.rows[path[1]]
            rest = path[2:]
            if rest and rest[0] == "custom_fields" and len(rest) >= 2:
                _add(row, f"cf_{rest[1]}", message)
            elif rest and rest[0] in GUEST_FIELDS:
                _add(row, str(rest[0]), message)
            else:
                _add(row, None, message)
        elif head == "custom_fields" and len(path) >= 2:
            _add(form, f"cf_{path[1]}", message)
        elif head == "host":
            # The one choice that decides where a host may host is the location (or the host, if chosen).
            _add(form, "host" if "host" in form.fields else "location", message)
        elif head in EVENT_FIELDS:
            _add(form, EVENT_FIELDS[str(head)], message)
        else:
            _add(form, None, message)
