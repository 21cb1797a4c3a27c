"""Reads of guest data: what is due for retention, and everything held about one address (export)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from apps.directory.models import CustomField, Location
from apps.notifications.models import OutboxMessage
from apps.privacy.anonymise import GUEST_MESSAGE_KINDS
from apps.visits.models import Contact, Event, Invitation

PORTAL_SOURCE = "Portal"


def location_retention_days(*, location: Location) -> int:
    """How many days after an event ends its guests' data is kept at this location."""
    return location.retention_days or settings.GUEST_RETENTION_DAYS


def events_due(*, now: dt.datetime | None = None) -> QuerySet[Event]:
    """Events that ended more than their location's retention period ago and still hold guest data."""
    now = now or timezone.now()
    default_cutoff = now - dt.timedelta(days=settings.GUEST_RETENTION_DAYS)
    due = Q(location__retention_days__isnull=True, ends_at__lt=default_cutoff)
    # Locations are few; one condition each keeps the query portable and the ends_at index usable.
    for location_id, days in Location.objects.filter(retention_days__isnull=False).values_list(
        "id", "retention_days"
    ):
        due |= Q(location_id=location_id, ends_at__lt=now - dt.timedelta(days=days))
    return Event.objects.filter(due, anonymised_at__isnull=True)


def contacts_freed(*, invitations: QuerySet[Invitation]) -> QuerySet[Contact]:
    """The contacts that no invitation outside `invitations` needs: anonymising those deletes them."""
    others = Invitation.objects.filter(contact_id=OuterRef("pk")).exclude(pk__in=invitations.values("pk"))
    return Contact.objects.filter(pk__in=invitations.values("contact_id")).exclude(Exists(others))


def guest_contacts(*, address: str) -> QuerySet[Contact]:
    """Every contact with this (normalised) address, across integrations and the portal's own visits."""
    return Contact.objects.filter(email__iexact=address)


def guest_invitations(*, address: str) -> QuerySet[Invitation]:
    return Invitation.objects.filter(contact__in=guest_contacts(address=address).values("pk"))


def guest_invitations_removable(*, address: str, now: dt.datetime | None = None) -> QuerySet[Invitation]:
    """The guest's invitations an erasure also removes: still invited to an event that has not ended."""
    return guest_invitations(address=address).filter(
        status=Invitation.Status.INVITED, event__ends_at__gt=now or timezone.now()
    )


@dataclass(frozen=True, slots=True)
class ErasurePreview:
    address: str
    invitations: list[Invitation]
    contacts: int
    cancelled: int
    messages: int


def guest_erasure_preview(*, address: str, now: dt.datetime | None = None) -> ErasurePreview:
    """What an erasure of this address would remove, for the confirmation page and the command."""
    now = now or timezone.now()
    invitations = guest_invitations(address=address)
    return ErasurePreview(
        address=address,
        invitations=list(
            invitations.select_related("event__location", "contact").order_by("event__starts_at", "id")
        ),
        contacts=guest_contacts(address=address).count(),
        cancelled=guest_invitations_removable(address=address, now=now).count(),
        messages=OutboxMessage.objects.filter(
            invitation__in=invitations.values("pk"), kind__in=GUEST_MESSAGE_KINDS
        ).count(),
    )


def _local(value: dt.datetime | None, zone: zoneinfo.ZoneInfo) -> str | None:
    return value.astimezone(zone).isoformat() if value is not None else None


def _message_subject(message: OutboxMessage) -> str:
    # The subject is composed when a message is sent; composing it again gives the same words.
    from apps.notifications.emails import outbox_message_compose

    return outbox_message_compose(message=message).subject


def guest_export_get(*, address: str, now: dt.datetime | None = None) -> dict[str, Any]:
    """The contract's export document for one (normalised) address: contacts, invitations, messages."""
    now = now or timezone.now()
    contacts = list(guest_contacts(address=address).select_related("integration").order_by("id"))
    invitations = list(
        guest_invitations(address=address)
        .select_related("event__location", "event__entrance", "event__host")
        .prefetch_related("access_profiles")
        .order_by("event__starts_at", "id")
    )
    field_names = dict(CustomField.objects.values_list("id", "name"))
    messages = list(
        OutboxMessage.objects.filter(
            invitation__in=[inv.pk for inv in invitations], kind__in=GUEST_MESSAGE_KINDS
        )
        .select_related("invitation__contact", "invitation__event__location", "event__location")
        .order_by("created_at", "id")
    )
    exported: list[dict[str, Any]] = []
    for inv in invitations:
        event = inv.event
        zone = zoneinfo.ZoneInfo(event.location.timezone)
        exported.append(
            {
                "status": inv.status,
                "language": inv.language,
                "event": {
                    "name": event.name,
                    "startsAt": _local(event.starts_at, zone),
                    "endsAt": _local(event.ends_at, zone),
                    "location": event.location.name,
                    "entrance": event.entrance.name if event.entrance_id else None,
                    "host": event.host.full_name or event.host.email,
                },
                "checkedInAt": _local(inv.checked_in_at, zone),
                "checkedOutAt": _local(inv.checked_out_at, zone),
                "customFields": {
                    field_names.get(_int_or_none(key), key): value for key, value in inv.custom_fields.items()
                },
                "accessProfiles": sorted(p.name or p.source_id for p in inv.access_profiles.all()),
            }
        )
    return {
        "email": address,
        "exportedAt": now.astimezone(dt.UTC).isoformat(),
        "contacts": [
            {
                "firstName": c.first_name,
                "lastName": c.last_name,
                "email": c.email,
                "companyName": c.company_name,
                "source": c.integration.name if c.integration_id else PORTAL_SOURCE,
            }
            for c in contacts
        ],
        "invitations": exported,
        "messages": [
            {
                "kind": m.kind,
                "subject": _message_subject(m),
                "to": m.invitation.contact.email,
                "sentAt": _local(m.sent_at, dt.UTC),
            }
            for m in messages
        ],
    }


def _int_or_none(key: str) -> int | None:
    try:
        return int(key)
    except (TypeError, ValueError):
        return None


def guest_data_erased(*, event_anonymised: bool, email: str, first_name: str, last_name: str) -> bool:
    """Whether a guest's data is gone: its event anonymised, or the guest erased on request (a blank
    contact: every guest the portal keeps has an email or a name)."""
    return event_anonymised or (email == "" and first_name == "" and last_name == "")


def guest_data_erased_sql(*, event: str, contact: str) -> str:
    """`guest_data_erased` as an SQL condition on an event and a contact (table aliases), for answers the
    database renders (apps.core.json_sql); tests/integrations/test_read_shape.py holds the two to one rule."""
    return (
        f"({event}.anonymised_at IS NOT NULL "
        f"OR ({contact}.email = '' AND {contact}.first_name = '' AND {contact}.last_name = ''))"
    )
