"""Composition of the "your guest has arrived" email a host gets when reception checks a guest in."""

import zoneinfo

from django.utils import translation
from django.utils.translation import gettext

from apps.notifications.dates import time_with_zone_format
from apps.notifications.emails import (
    EmailWithInlineImages,
    _event_context,
    _render,
    email_language,
    host_mail,
)
from apps.notifications.models import OutboxMessage


def arrival_email_compose(*, message: OutboxMessage) -> EmailWithInlineImages:
    """To the host the row names (`employee`), about the guest it names, at the check-in time recorded."""
    host = message.employee
    invitation = message.invitation
    event = invitation.event
    guest = invitation.contact
    guest_name = guest.full_name or guest.email
    zone = zoneinfo.ZoneInfo(event.location.timezone)
    arrived = invitation.checked_in_at
    with translation.override(email_language(language=host.language)):
        arrived_at = time_with_zone_format(arrived.astimezone(zone)) if arrived is not None else ""
        context = {
            **_event_context(event),
            "language_code": translation.get_language(),
            "host_name": host.full_name or host.email,
            "guest_name": guest_name,
            "guest_company": guest.company_name,
            "arrived_at": arrived_at,
        }
        subject = gettext("Your guest has arrived: %(guest)s") % {"guest": guest_name}
        context["subject"] = subject
        text, html = _render("emails/arrival", context)
    return host_mail(host=host, subject=subject, text=text, html=html)
