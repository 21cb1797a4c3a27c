"""Composition of the emails owed by outbox rows: text and HTML bodies, QR code, calendar file.

Everything is rendered from the current state of the event, invitation, contact, location, entrance and
host; an outbox row contributes only its kind and its payload (the calendar SEQUENCE, or the guests a
host confirmation lists).
"""

import datetime as dt
import email.message
import hashlib
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.utils import formataddr, make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy, ngettext, pgettext

from apps.core.languages import language_django_code
from apps.directory.models import Employee
from apps.notifications.dates import date_long_format, day_long_format, time_short_format, zone_name_format
from apps.notifications.ics import CalendarMethod, invitation_calendar_render, portal_domain
from apps.notifications.models import OutboxMessage
from apps.notifications.qr import qr_png_render
from apps.visits.models import Event, Invitation

# How a host summary names a guest removed by an erasure request: the name is gone with the guest's data.
_ERASED_GUEST = gettext_lazy("A guest, removed at their own request (their details are erased)")
_GUEST_TEMPLATES = {
    OutboxMessage.Kind.INVITATION: "emails/invitation",
    OutboxMessage.Kind.UPDATE: "emails/update",
    OutboxMessage.Kind.CANCELLATION: "emails/cancellation",
}


def email_language(*, language: str) -> str:
    """The Django language code an email to someone with this contract language code is written in.

    A code the portal has no language for is written in English; a msgid a catalogue lacks is too
    (gettext's own fallback), so a gap in a translation never stops a message.
    """
    return language_django_code(language=language)


@dataclass(frozen=True, slots=True)
class InlineImage:
    content_id: str  # without the angle brackets, as referenced by `cid:` in the HTML
    filename: str
    content: bytes
    subtype: str = "png"


class EmailWithInlineImages(EmailMultiAlternatives):
    """An email whose HTML body shows images carried in the message itself.

    The images go next to the HTML part in a multipart/related part (RFC 2387), which is where Gmail,
    Outlook, Apple Mail and Thunderbird all resolve `cid:` references; Django itself only knows
    attachments in multipart/mixed.
    """

    def __init__(self, *args, inline_images: Sequence[InlineImage] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.inline_images = list(inline_images)

    def message(self, *args, **kwargs):
        msg = super().message(*args, **kwargs)
        if self.inline_images and not _html_part_relate(msg, self.inline_images):
            raise ValueError("Inline images need an HTML alternative to belong to.")
        return msg


def _html_part_relate(container, images: Sequence[InlineImage]) -> bool:
    """Turn the text/html part inside `container` into multipart/related holding it and `images`."""
    if isinstance(container, email.message.MIMEPart):
        # Django 6's modern email API: the part converts itself into multipart/related in place.
        for part in container.walk():
            if part.get_content_type() == "text/html":
                for image in images:
                    part.add_related(
                        image.content,
                        maintype="image",
                        subtype=image.subtype,
                        cid=f"<{image.content_id}>",
                        disposition="inline",
                        filename=image.filename,
                    )
                return True
        return False
    # Django 5.2's legacy MIME classes: swap the HTML part for a related container by hand.
    if not container.is_multipart():
        return False
    children = container.get_payload()
    for index, part in enumerate(children):
        if part.is_multipart():
            if _html_part_relate(part, images):
                return True
        elif part.get_content_type() == "text/html":
            related = MIMEMultipart("related")
            related.attach(part)
            for image in images:
                mime_image = MIMEImage(image.content, _subtype=image.subtype)
                mime_image.add_header("Content-ID", f"<{image.content_id}>")
                mime_image.add_header("Content-Disposition", "inline", filename=image.filename)
                related.attach(mime_image)
            children[index] = related
            return True
    return False


def _utc_offset(value: dt.datetime) -> str:
    minutes = int(value.utcoffset().total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def event_when_format(*, event: Event) -> str:
    """When the event is, in its location's time zone with the offset shown, in the active language."""
    zone = zoneinfo.ZoneInfo(event.location.timezone)
    start = event.starts_at.astimezone(zone)
    end = event.ends_at.astimezone(zone)
    if start.date() == end.date():
        span = gettext("%(date)s, %(start)s – %(end)s") % {  # noqa: RUF001 - a typographic range dash
            "date": day_long_format(start),
            "start": time_short_format(start),
            "end": time_short_format(end),
        }
    else:
        span = gettext("%(start_date)s, %(start)s – %(end_date)s, %(end)s") % {  # noqa: RUF001
            "start_date": day_long_format(start),
            "start": time_short_format(start),
            "end_date": day_long_format(end),
            "end": time_short_format(end),
        }
    # An event across a daylight-saving change shows both offsets (and zone names), so neither time is
    # ambiguous.
    offset, zone_name = _utc_offset(start), zone_name_format(start)
    if _utc_offset(end) != offset:
        offset = f"{offset} → {_utc_offset(end)}"
        if zone_name_format(end) != zone_name:
            zone_name = f"{zone_name} → {zone_name_format(end)}"
    return pgettext("event time with its time zone", "%(when)s (%(zone)s, %(offset)s)") % {
        "when": span,
        "zone": zone_name,
        "offset": offset,
    }


def _event_date(event: Event) -> str:
    return date_long_format(event.starts_at.astimezone(zoneinfo.ZoneInfo(event.location.timezone)))


def qr_filename() -> str:
    """The QR code's file name, as the guest sees it attached (and named in the text body)."""
    return pgettext("attachment file name", "qr-code.png")


def calendar_filename(*, cancellation: bool) -> str:
    if cancellation:
        return pgettext("attachment file name", "cancel.ics")
    return pgettext("attachment file name", "invite.ics")


def _event_context(event: Event) -> dict:
    host = event.host
    return {
        "event_name": event.name,
        "event_description": event.description,
        "when": event_when_format(event=event),
        "location_name": event.location.name,
        "location_address": event.location.address,
        "entrance_name": event.entrance.name if event.entrance_id else "",
        "host_name": host.full_name or host.email,
        "host_email": host.email,
    }


def _render(template: str, context: dict) -> tuple[str, str]:
    # Template tags leave stray blank lines at the ends of the text body; mail clients show them.
    text = render_to_string(f"{template}.txt", context).strip() + "\n"
    return text, render_to_string(f"{template}.html", context)


def _person_address(name: str, address: str) -> str:
    # Django encodes non-ASCII display names; quoting keeps commas in names from splitting the address.
    return formataddr((name, address)) if name else address


def guest_email_compose(*, message: OutboxMessage) -> EmailWithInlineImages:
    invitation: Invitation = message.invitation
    event = invitation.event
    guest = invitation.contact
    sequence = int(message.payload.get("sequence", invitation.sequence))
    is_cancellation = message.kind == OutboxMessage.Kind.CANCELLATION

    with translation.override(email_language(language=invitation.language)):
        context = {
            **_event_context(event),
            "language_code": translation.get_language(),
            "guest_name": guest.full_name or guest.email,
            "event_cancelled": event.status == Event.Status.CANCELLED,
            # Every guest message ends with the organisation's privacy notice, when it has one (GDPR Art. 13).
            "privacy_notice_url": settings.PRIVACY_NOTICE_URL,
        }
        images: list[InlineImage] = []
        if not is_cancellation:
            # The QR carries the opaque invitation token, never a database id, so it cannot be guessed.
            qr_cid = make_msgid(idstring="qr", domain=portal_domain())[1:-1]
            images.append(
                InlineImage(
                    content_id=qr_cid,
                    filename=qr_filename(),
                    content=qr_png_render(payload=invitation.token),
                )
            )
            context.update(
                {"qr_cid": qr_cid, "check_in_code": invitation.token, "qr_filename": qr_filename()}
            )
        subject = {
            OutboxMessage.Kind.INVITATION: gettext("Invitation: %(event)s, %(date)s"),
            OutboxMessage.Kind.UPDATE: gettext("Updated: %(event)s, %(date)s"),
            OutboxMessage.Kind.CANCELLATION: gettext("Cancelled: %(event)s, %(date)s"),
        }[message.kind] % {"event": event.name, "date": _event_date(event)}
        context["subject"] = subject
        text, html = _render(_GUEST_TEMPLATES[message.kind], context)
        method = CalendarMethod.CANCEL if is_cancellation else CalendarMethod.REQUEST
        ics = invitation_calendar_render(invitation=invitation, sequence=sequence, method=method)
        ics_name = calendar_filename(cancellation=is_cancellation)

    mail = EmailWithInlineImages(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[_person_address(guest.full_name, guest.email)],
        reply_to=[_person_address(event.host.full_name, event.host.email)],
        headers={"Auto-Submitted": "auto-generated"},
        inline_images=images,
    )
    mail.attach_alternative(html, "text/html")
    mail.attach(ics_name, ics, "text/calendar")
    return mail


def _guest_label(invitation: Invitation) -> str:
    contact = invitation.contact
    name = contact.full_name or contact.email
    return f"{name} ({contact.company_name})" if contact.company_name else name


def host_summary_compose(*, message: OutboxMessage) -> EmailWithInlineImages:
    """One confirmation for everything a sync changed on the host's guest lists, grouped by event."""
    host = message.employee
    invited_ids = message.payload.get("invited", [])
    removed_ids = message.payload.get("removed", [])
    # Guests removed by an erasure request (apps/privacy): the host learns of the removal, not who it was,
    # and the guest was told nothing.
    erased = bool(message.payload.get("erased"))
    invitations = Invitation.objects.select_related(
        "contact", "event__location", "event__entrance", "event__host"
    ).in_bulk([*invited_ids, *removed_ids])
    # Events in the order the payload first names them; the row's own event leads.
    groups: dict[int, dict] = {message.event_id: {"event": message.event, "invited": [], "removed": []}}
    for key, ids in (("invited", invited_ids), ("removed", removed_ids)):
        for invitation_id in ids:
            invitation = invitations.get(invitation_id)
            if invitation is None:  # deleted since; nothing left to name
                continue
            group = groups.setdefault(
                invitation.event_id, {"event": invitation.event, "invited": [], "removed": []}
            )
            group[key].append(_ERASED_GUEST if erased else _guest_label(invitation))
    # A confirmation written for a cancelled event (the engine gives each its own) names the event even
    # when it had no guests left to tell.
    event_cancelled = bool(message.payload.get("event_cancelled"))
    groups = {
        event_id: {**group, "cancelled": event_cancelled and event_id == message.event_id}
        for event_id, group in groups.items()
        if group["invited"] or group["removed"] or (event_cancelled and event_id == message.event_id)
    }
    lead = message.event
    all_cancelled = all(group["cancelled"] for group in groups.values())

    with translation.override(email_language(language=host.language)):
        context = {
            "language_code": translation.get_language(),
            "host_name": host.full_name or host.email,
            "integration_name": lead.integration.name if lead.integration_id else "",
            "event_cancelled": all_cancelled,
            "guests_told": not erased
            and any(group["invited"] or group["removed"] for group in groups.values()),
            "events": [
                {
                    **_event_context(group["event"]),
                    "invited": group["invited"],
                    "removed": group["removed"],
                    "cancelled": group["cancelled"],
                }
                for group in groups.values()
            ],
        }
        if all_cancelled and len(groups) == 1:
            subject = gettext("Cancelled: %(event)s, %(date)s") % {
                "event": lead.name,
                "date": _event_date(lead),
            }
        elif len(groups) > 1:
            more = len(groups) - 1
            subject = ngettext(
                "Guest lists changed: %(event)s and %(count)s more",
                "Guest lists changed: %(event)s and %(count)s more",
                more,
            ) % {"event": lead.name, "count": more}
        else:
            subject = gettext("Guest list changed: %(event)s, %(date)s") % {
                "event": lead.name,
                "date": _event_date(lead),
            }
        context["subject"] = subject
        text, html = _render("emails/host_summary", context)
    return host_mail(host=host, subject=subject, text=text, html=html)


def host_mail(*, host: Employee, subject: str, text: str, html: str) -> EmailWithInlineImages:
    """An automatic email to a host (confirmation, arrival): text and HTML, no calendar, no QR code."""
    mail = EmailWithInlineImages(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[_person_address(host.full_name, host.email)],
        headers={"Auto-Submitted": "auto-generated"},
    )
    mail.attach_alternative(html, "text/html")
    return mail


def outbox_message_id(*, message: OutboxMessage) -> str:
    """The Message-ID of the email an outbox row owes: the same on every attempt and every resend.

    A delivery repeated after a crash is then the same message to the recipient's mail system (which may
    show it once) and can be found in the mail server's log. The hash of the row's creation time keeps
    ids apart across databases that reuse row ids (a reset demo, a restored backup).
    """
    digest = hashlib.sha256(f"{message.pk}:{message.created_at.isoformat()}".encode()).hexdigest()[:16]
    return f"<outbox-{message.pk}.{digest}@{portal_domain()}>"


def outbox_message_compose(*, message: OutboxMessage) -> EmailWithInlineImages:
    if message.kind == OutboxMessage.Kind.HOST_SUMMARY:
        mail = host_summary_compose(message=message)
    elif message.kind == OutboxMessage.Kind.ARRIVAL:
        from apps.notifications.arrival import arrival_email_compose  # it builds on this module

        mail = arrival_email_compose(message=message)
    else:
        mail = guest_email_compose(message=message)
    mail.extra_headers["Message-ID"] = outbox_message_id(message=message)
    return mail
