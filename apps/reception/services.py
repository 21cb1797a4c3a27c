"""Writes of the front desk that are more than a check-in: walk-ins, resending and cancelling invitations.

Visits change only through the engine (walk-ins, cancellations), so the same validation, audit trail
and emails apply as at every other door.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from apps.directory.models import Employee, Location
from apps.visits.actors import Actor
from apps.visits.checkins import invitation_check_in
from apps.visits.models import Invitation
from apps.visits.services import InvitationActionRefused, portal_event_source_id_new
from apps.visits.sync import UNSET, EventInput, FieldError, InvitationInput, PersonInput, events_sync

WALK_IN_DURATION = dt.timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class WalkInResult:
    invitation: Invitation | None = None
    errors: list[FieldError] = field(default_factory=list)


def walk_in_register(
    *,
    actor: Actor,
    location: Location,
    host_email: str,
    first_name: str,
    last_name: str,
    email: str = "",
    company_name: str = "",
    entrance_id: int | None = None,
    at: dt.datetime | None = None,
) -> WalkInResult:
    """A guest without an invitation: a visit starting now, made by the engine, and checked in at once.

    Both or neither: a check-in that is refused leaves no visit behind.
    """
    now = at or timezone.now()
    name = f"{first_name} {last_name}".strip() or email
    visit = EventInput(
        source_id=portal_event_source_id_new(),
        name=f"Walk-in: {name}",
        starts_at=now,
        ends_at=now + WALK_IN_DURATION,
        location_id=location.pk,
        entrance_id=entrance_id if entrance_id is not None else UNSET,
        host=PersonInput(email=host_email),
        invitations=[
            InvitationInput(
                source_id=f"guest-{uuid.uuid4()}",
                email=email or UNSET,
                first_name=first_name,
                last_name=last_name,
                company_name=company_name,
            )
        ],
    )
    with transaction.atomic():
        (result,) = events_sync(actor=actor, events=[visit])
        if not result.ok:
            return WalkInResult(errors=list(result.errors))
        invitation_id = Invitation.objects.filter(event_id=result.id).values_list("pk", flat=True).get()
        checked_in = invitation_check_in(
            actor=actor, invitation_id=invitation_id, location_id=location.pk, at=now
        )
    return WalkInResult(invitation=checked_in.invitation)


def invitation_cancel(*, actor: Actor, invitation: Invitation, at: dt.datetime | None = None) -> None:
    """Take the guest off the visit through the engine (they get a cancellation, the host a note)."""
    event = invitation.event
    if event.integration_id is not None:
        raise InvitationActionRefused(
            _("This visit belongs to %(integration)s: cancel the guest there.")
            % {"integration": event.integration.name}
        )
    if invitation.status == Invitation.Status.CANCELLED:
        return
    if invitation.status != Invitation.Status.INVITED:
        raise InvitationActionRefused(_("This guest has already arrived."))
    source_id = invitation.contact.source_id
    if not source_id or not event.source_id:
        raise InvitationActionRefused(_("This guest cannot be cancelled here."))
    (result,) = events_sync(
        actor=actor,
        events=[
            EventInput(
                source_id=event.source_id,
                invitations=[InvitationInput(source_id=source_id, deleted_at=at or timezone.now())],
            )
        ],
        ignore_missing_invitations=True,
    )
    if not result.ok:
        raise InvitationActionRefused("; ".join(str(error.message) for error in result.errors))


class HostsChangeRefused(Exception):
    def __init__(self, message: str | Promise) -> None:
        super().__init__(str(message))
        self.message = message


def location_hosts_problem(*, location: Location, employees: Sequence[Employee]) -> str | None:
    """Why these hosts cannot be set, or None.

    An employee with no locations may host anywhere; taking their last location away would turn them
    into that, so it is refused.
    """
    removed = set(location.hosts.values_list("pk", flat=True)) - {employee.pk for employee in employees}
    emptied = list(
        Employee.objects.filter(pk__in=removed)
        .annotate(places=Count("hosting_locations"))
        .filter(places=1)
        .order_by("email")
        .values_list("email", flat=True)
    )
    if emptied:
        return _("%(names)s would then host anywhere (no location left): ask a super admin.") % {
            "names": ", ".join(emptied)
        }
    return None


def location_hosts_set(*, location: Location, employees: Sequence[Employee]) -> None:
    """Exactly these employees are named as hosts of the location (their other locations stay as they are)."""
    wanted = {employee.pk for employee in employees}
    with transaction.atomic():
        problem = location_hosts_problem(location=location, employees=employees)
        if problem:
            raise HostsChangeRefused(problem)
        current = set(location.hosts.values_list("pk", flat=True))
        through = Employee.hosting_locations.through
        through.objects.filter(location_id=location.pk, employee_id__in=current - wanted).delete()
        through.objects.bulk_create(
            [through(location_id=location.pk, employee_id=pk) for pk in wanted - current],
            ignore_conflicts=True,
        )
