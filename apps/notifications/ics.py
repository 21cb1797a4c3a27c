"""The calendar file (iCalendar, RFC 5545 / iTIP RFC 5546) attached to guest emails."""

import datetime as dt
import enum
import zoneinfo
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext
from icalendar import Calendar, vCalAddress, vText
from icalendar import Event as CalendarEvent

from apps.visits.models import Invitation


class CalendarMethod(enum.StrEnum):
    REQUEST = "REQUEST"
    CANCEL = "CANCEL"


def portal_domain() -> str:
    """The portal's host name, which makes calendar UIDs and email Content-IDs globally unique."""
    return urlsplit(settings.PORTAL_BASE_URL).hostname or "visitor-portal"


def invitation_calendar_uid(*, invitation: Invitation) -> str:
    """Stable for the life of the invitation, so every update and cancellation replaces the same entry."""
    return f"invitation-{invitation.pk}@{portal_domain()}"


def location_text(*, invitation: Invitation) -> str:
    event = invitation.event
    parts = [event.location.name]
    if event.location.address:
        parts.append(" ".join(event.location.address.split()))
    if event.entrance_id:
        parts.append(gettext("Entrance: %(entrance)s") % {"entrance": event.entrance.name})
    return ", ".join(parts)


def invitation_calendar_render(*, invitation: Invitation, sequence: int, method: CalendarMethod) -> bytes:
    """The .ics for one guest; call inside `translation.override` so the texts are in their language."""
    event = invitation.event
    location_zone = zoneinfo.ZoneInfo(event.location.timezone)
    host = event.host
    guest = invitation.contact

    calendar = Calendar()
    calendar.add("prodid", "-//Visitor Portal//Invitations//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method.value)

    entry = CalendarEvent()
    entry.add("uid", invitation_calendar_uid(invitation=invitation))
    entry.add("sequence", sequence)
    entry.add("dtstamp", timezone.now().astimezone(dt.UTC))
    # Local times with a TZID (and the VTIMEZONE added below) keep the event at the same wall-clock
    # time for the guest's calendar even if the zone's rules change.
    entry.add("dtstart", event.starts_at.astimezone(location_zone))
    entry.add("dtend", event.ends_at.astimezone(location_zone))
    entry.add("summary", event.name)
    description = gettext("Host: %(host)s") % {"host": host.full_name or host.email}
    if event.description:
        description = f"{event.description}\n\n{description}"
    entry.add("description", description)
    entry.add("location", location_text(invitation=invitation))

    organizer = vCalAddress(f"mailto:{host.email}")
    organizer.params["cn"] = vText(host.full_name or host.email)
    entry.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{guest.email}")
    attendee.params["cn"] = vText(guest.full_name or guest.email)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    # The portal does not collect replies; RSVP=FALSE keeps clients from offering to send one.
    attendee.params["rsvp"] = vText("FALSE")
    entry.add("attendee", attendee)

    if method is CalendarMethod.CANCEL:
        entry.add("status", "CANCELLED")
    else:
        entry.add("status", "CONFIRMED")
        entry.add("transp", "OPAQUE")

    calendar.add_component(entry)
    calendar.add_missing_timezones()
    return calendar.to_ical()
