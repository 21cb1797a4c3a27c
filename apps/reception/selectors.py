"""Reads of the front desk: today's guests at a location (its today), the counts, who is on site.

Everything starts from apps.visits.access, so a desk never shows a guest the user may not see; every
read is one query whatever the number of guests.
"""

from __future__ import annotations

import datetime as dt
import enum
import zoneinfo
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from apps.directory.models import Employee, Location
from apps.visits.access import invitation_queryset_restrict
from apps.visits.models import Event, Invitation

Status = Invitation.Status


class DeskStatus(enum.StrEnum):
    """The desk's words for an invitation's status (the filter's values)."""

    EXPECTED = "expected"
    ON_SITE = "on_site"
    LEFT = "left"


DESK_STATUSES = {
    DeskStatus.EXPECTED: Status.INVITED,
    DeskStatus.ON_SITE: Status.CHECKED_IN,
    DeskStatus.LEFT: Status.CHECKED_OUT,
}


@dataclass(frozen=True, slots=True)
class DeskCounts:
    expected: int
    on_site: int
    left: int


def location_day_bounds(*, location: Location, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The start and end (exclusive) of a calendar day at the location, as aware date-times."""
    zone = zoneinfo.ZoneInfo(location.timezone)
    start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def location_today(*, location: Location, at: dt.datetime | None = None) -> dt.date:
    return (at or timezone.now()).astimezone(zoneinfo.ZoneInfo(location.timezone)).date()


def _today_base(*, user: AbstractBaseUser, location: Location, day: dt.date) -> QuerySet[Invitation]:
    start, end = location_day_bounds(location=location, day=day)
    # A visit is expected on every day it touches (a multi-day visit on each of them).
    todays = Invitation.objects.filter(
        event__location=location,
        event__status=Event.Status.ACTIVE,
        event__starts_at__lt=end,
        event__ends_at__gt=start,
    ).exclude(status=Status.CANCELLED)
    return invitation_queryset_restrict(user=user, queryset=todays)


def frontdesk_guests_today(
    *,
    user: AbstractBaseUser,
    location: Location,
    day: dt.date,
    entrance_id: int | None = None,
    status: DeskStatus | None = None,
    search: str = "",
) -> QuerySet[Invitation]:
    """Today's guests: still expected first, then on site, then left; by time, then name."""
    guests = _today_base(user=user, location=location, day=day)
    if entrance_id is not None:
        guests = guests.filter(event__entrance_id=entrance_id)
    if status is not None:
        guests = guests.filter(status=DESK_STATUSES[status])
    for term in search.split():
        guests = guests.filter(
            Q(contact__first_name__icontains=term)
            | Q(contact__last_name__icontains=term)
            | Q(contact__email__icontains=term)
            | Q(contact__company_name__icontains=term)
        )
    return (
        guests.select_related("contact", "event__host", "event__entrance")
        .annotate(
            desk_order=Case(
                When(status=Status.INVITED, then=Value(0)),
                When(status=Status.CHECKED_IN, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("desk_order", "event__starts_at", "contact__last_name", "contact__first_name", "pk")
    )


def frontdesk_counts_today(*, user: AbstractBaseUser, location: Location, day: dt.date) -> DeskCounts:
    counts = _today_base(user=user, location=location, day=day).aggregate(
        expected=Count("pk", filter=Q(status=Status.INVITED)),
        on_site=Count("pk", filter=Q(status=Status.CHECKED_IN)),
        left=Count("pk", filter=Q(status=Status.CHECKED_OUT)),
    )
    return DeskCounts(**counts)


def frontdesk_on_site(*, user: AbstractBaseUser, location: Location) -> QuerySet[Invitation]:
    """Everyone checked in and not out at the location, whatever day they came: the evacuation list."""
    on_site = Invitation.objects.filter(event__location=location, status=Status.CHECKED_IN)
    return (
        invitation_queryset_restrict(user=user, queryset=on_site)
        .select_related("contact", "event__host", "event__entrance")
        .order_by("contact__last_name", "contact__first_name", "pk")
    )


def location_host_queryset(*, location: Location) -> QuerySet[Employee]:
    """Active employees who may host at the location (no locations set means anywhere)."""
    return (
        Employee.objects.filter(is_active=True)
        .filter(Q(hosting_locations=location) | Q(hosting_locations__isnull=True))
        .distinct()
        .order_by("last_name", "first_name", "email")
    )
