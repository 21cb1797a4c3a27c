"""Check-in and check-out: the transitions of a guest at the door, for the front desk and the API.

expected (INVITED) → on site (CHECKED_IN) → left (CHECKED_OUT); a guest who left may come back (on a
multi-day visit) and is on site again. Cancelled guests and guests of cancelled events are refused, and so
is any day (in the location's time zone) outside the visit's days.

Every status write is conditional on the status read (`UPDATE … WHERE id = … AND status IN (…)`), so a
double scan checks in once, two desks racing each other record one arrival, and a concurrent sync (whose
own writes are conditional too) cannot overwrite an arrival with what it read before it. The host is told
about each arrival through the outbox, after commit.
"""

from __future__ import annotations

import datetime as dt
import enum
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from apps.notifications.models import OutboxMessage
from apps.notifications.services import outbox_dispatch_on_commit
from apps.visits.actors import Actor
from apps.visits.audit import AuditChange, audit_record
from apps.visits.models import AuditEntry, CheckIn, Event, Invitation
from apps.webhooks.models import EventType
from apps.webhooks.services import webhook_check_in_record

Status = Invitation.Status


class CheckInRefusal(enum.StrEnum):
    """Why a check-in or check-out was refused; the API's 409 `code` where it has one."""

    NOT_FOUND = "NOT_FOUND"
    INVITATION_CANCELLED = "INVITATION_CANCELLED"
    NOT_EXPECTED_TODAY = "NOT_EXPECTED_TODAY"
    OTHER_LOCATION = "OTHER_LOCATION"
    NOT_ON_SITE = "NOT_ON_SITE"
    ENTRANCE_NOT_AT_LOCATION = "ENTRANCE_NOT_AT_LOCATION"


class CheckInRefused(Exception):
    def __init__(self, code: CheckInRefusal, message: str | Promise) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class CheckInResult:
    invitation: Invitation
    # False: the guest was already in the state asked for (a double scan), and nothing was written.
    changed: bool
    # The arrival (the latest one, on a no-op); None only for a guest checked out with no arrival row.
    check_in: CheckIn | None = None


def _latest_check_in(invitation: Invitation) -> CheckIn | None:
    return CheckIn.objects.filter(invitation_id=invitation.pk).order_by("-arrived_at", "-id").first()


def _refuse_unless_entrance_there(invitation: Invitation, entrance_id: int | None) -> None:
    if entrance_id is None:
        return
    if not invitation.event.location.entrances.filter(pk=entrance_id).exists():
        raise CheckInRefused(
            CheckInRefusal.ENTRANCE_NOT_AT_LOCATION,
            _("This entrance is not at the visit's location (%(location)s).")
            % {"location": invitation.event.location},
        )


def _load(invitation_id: int) -> Invitation:
    try:
        return Invitation.objects.select_related("event__location", "event__host", "contact").get(
            pk=invitation_id
        )
    except Invitation.DoesNotExist:
        raise CheckInRefused(CheckInRefusal.NOT_FOUND, _("No such invitation.")) from None


def visit_days_local(*, event: Event) -> tuple[dt.date, dt.date]:
    """The first and last day of the visit in its location's time zone."""
    zone = zoneinfo.ZoneInfo(event.location.timezone)
    return event.starts_at.astimezone(zone).date(), event.ends_at.astimezone(zone).date()


def location_today(*, timezone_name: str, at: dt.datetime | None = None) -> dt.date:
    """Today in the location's time zone (not the server's, not UTC)."""
    return (at or timezone.now()).astimezone(zoneinfo.ZoneInfo(timezone_name)).date()


def _refuse_unless_expected(invitation: Invitation, *, location_id: int | None, now: dt.datetime) -> None:
    event = invitation.event
    if location_id is not None and event.location_id != location_id:
        raise CheckInRefused(
            CheckInRefusal.OTHER_LOCATION,
            _("This guest is expected at another location (%(location)s).") % {"location": event.location},
        )
    if invitation.status == Status.CANCELLED or event.status == Event.Status.CANCELLED:
        raise CheckInRefused(
            CheckInRefusal.INVITATION_CANCELLED, _("This invitation has been cancelled: do not let them in.")
        )
    first, last = visit_days_local(event=event)
    today = location_today(timezone_name=event.location.timezone, at=now)
    if not first <= today <= last:
        raise CheckInRefused(
            CheckInRefusal.NOT_EXPECTED_TODAY,
            _("This guest is not expected today: the visit is on %(day)s.")
            % {"day": first.isoformat() if first == last else f"{first.isoformat()} – {last.isoformat()}"},  # noqa: RUF001
        )


def _transition_record(
    *, actor: Actor, invitation: Invitation, at: dt.datetime, action: str, changes: dict[str, Any]
) -> None:
    """A guest's move at the door is a change of the visit: for `updatedSince` readers and the audit trail."""
    Event.objects.filter(pk=invitation.event_id).update(updated_at=at)
    audit_record(
        actor=actor,
        at=at,
        changes=[
            AuditChange(
                event_id=invitation.event_id, invitation_id=invitation.pk, action=action, changes=changes
            )
        ],
    )


def invitation_check_in(
    *,
    actor: Actor,
    invitation_id: int,
    location_id: int | None = None,
    entrance_id: int | None = None,
    at: dt.datetime | None = None,
) -> CheckInResult:
    """Check the guest in (once), record the arrival and the actor, tell the host and webhooks after commit.

    `location_id` is where the desk is: a guest of another location is refused there. `entrance_id`
    (optional) is the door they came through, one of the visit's location.
    """
    now = at or timezone.now()
    with transaction.atomic():
        invitation = _load(invitation_id)
        _refuse_unless_expected(invitation, location_id=location_id, now=now)
        _refuse_unless_entrance_there(invitation, entrance_id)
        if invitation.status == Status.CHECKED_IN:
            return CheckInResult(invitation=invitation, changed=False, check_in=_latest_check_in(invitation))
        previous = invitation.status
        written = Invitation.objects.filter(pk=invitation.pk, status=previous).update(
            status=Status.CHECKED_IN, checked_in_at=now, checked_out_at=None, updated_at=now
        )
        if not written:
            # Someone else changed the guest between our read and our write: judge the state they left.
            current = _load(invitation_id)
            _refuse_unless_expected(current, location_id=location_id, now=now)
            if current.status == Status.CHECKED_IN:
                return CheckInResult(invitation=current, changed=False, check_in=_latest_check_in(current))
            return invitation_check_in(
                actor=actor,
                invitation_id=invitation_id,
                location_id=location_id,
                entrance_id=entrance_id,
                at=at,
            )
        _transition_record(
            actor=actor,
            invitation=invitation,
            at=now,
            action=AuditEntry.Action.CHECKED_IN,
            changes={
                "status": (previous, Status.CHECKED_IN),
                "checked_in_at": (invitation.checked_in_at, now),
            },
        )
        message = OutboxMessage.objects.create(
            kind=OutboxMessage.Kind.ARRIVAL,
            event_id=invitation.event_id,
            invitation=invitation,
            employee_id=invitation.event.host_id,
        )
        outbox_dispatch_on_commit(message_ids=[message.pk])
        invitation.status, invitation.checked_in_at, invitation.checked_out_at = Status.CHECKED_IN, now, None
        invitation.updated_at = now
        check_in = CheckIn.objects.create(
            invitation=invitation,
            location_id=invitation.event.location_id,
            entrance_id=entrance_id,
            arrived_at=now,
        )
        webhook_check_in_record(event_type=EventType.CHECKIN_CREATED, check_in=check_in, at=now)
    return CheckInResult(invitation=invitation, changed=True, check_in=check_in)


def invitation_check_out(
    *, actor: Actor, invitation_id: int, location_id: int | None = None, at: dt.datetime | None = None
) -> CheckInResult:
    """The guest leaves (once); a guest who is not on site is refused."""
    now = at or timezone.now()
    with transaction.atomic():
        invitation = _load(invitation_id)
        if location_id is not None and invitation.event.location_id != location_id:
            raise CheckInRefused(
                CheckInRefusal.OTHER_LOCATION,
                _("This guest is expected at another location (%(location)s).")
                % {"location": invitation.event.location},
            )
        if invitation.status == Status.CHECKED_OUT:
            return CheckInResult(invitation=invitation, changed=False, check_in=_latest_check_in(invitation))
        written = Invitation.objects.filter(pk=invitation.pk, status=Status.CHECKED_IN).update(
            status=Status.CHECKED_OUT, checked_out_at=now, updated_at=now
        )
        if not written:
            current = _load(invitation_id)
            if current.status == Status.CHECKED_OUT:
                return CheckInResult(invitation=current, changed=False, check_in=_latest_check_in(current))
            raise CheckInRefused(CheckInRefusal.NOT_ON_SITE, _("This guest is not on site."))
        _transition_record(
            actor=actor,
            invitation=invitation,
            at=now,
            action=AuditEntry.Action.CHECKED_OUT,
            changes={
                "status": (Status.CHECKED_IN, Status.CHECKED_OUT),
                "checked_out_at": (None, now),
            },
        )
        invitation.status, invitation.checked_out_at, invitation.updated_at = Status.CHECKED_OUT, now, now
        check_in = _latest_check_in(invitation)
        if check_in is not None and check_in.left_at is None:
            # updated_at is the real time of the change (what `updatedSince` readers poll), even when
            # the departure is recorded with an earlier time.
            written_at = timezone.now()
            CheckIn.objects.filter(pk=check_in.pk).update(left_at=now, updated_at=written_at)
            check_in.left_at, check_in.updated_at = now, written_at
            check_in.invitation = invitation
            webhook_check_in_record(event_type=EventType.CHECKIN_UPDATED, check_in=check_in, at=now)
    return CheckInResult(invitation=invitation, changed=True, check_in=check_in)


def invitation_check_in_by_code(
    *,
    actor: Actor,
    code: str,
    location_id: int | None = None,
    entrance_id: int | None = None,
    at: dt.datetime | None = None,
) -> CheckInResult:
    """Check in the guest whose QR code (the invitation's token) was scanned."""
    token = code.strip()
    invitation_id = (
        Invitation.objects.filter(token=token).values_list("pk", flat=True).first() if token else None
    )
    if invitation_id is None:
        raise CheckInRefused(CheckInRefusal.NOT_FOUND, _("Unknown code: no invitation has this QR code."))
    return invitation_check_in(
        actor=actor, invitation_id=invitation_id, location_id=location_id, entrance_id=entrance_id, at=at
    )
