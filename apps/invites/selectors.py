"""Reads of the invite portal; every one starts from the one place that decides who sees what."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from apps.directory.models import CustomField, Employee, Entrance, Location
from apps.visits.access import Access, event_queryset_restrict
from apps.visits.models import Event, Invitation

ARRIVED = (Invitation.Status.CHECKED_IN, Invitation.Status.CHECKED_OUT)


def employee_of(*, user: AbstractBaseUser) -> Employee | None:
    """The employee behind a login, or None for a login that is no employee (or a deactivated one)."""
    employee = getattr(user, "employee", None)
    return employee if employee is not None and employee.is_active else None


def _guest_count(*, statuses: tuple[str, ...] | None = None) -> Coalesce:
    invitations = Invitation.objects.filter(event=OuterRef("pk")).exclude(status=Invitation.Status.CANCELLED)
    if statuses is not None:
        invitations = invitations.filter(status__in=statuses)
    counted = invitations.order_by().values("event").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def visit_list(*, user: AbstractBaseUser, search: str = "", now: dt.datetime) -> QuerySet[Event]:
    """The visits a user may see: upcoming ones first (soonest first), then past ones (latest first).

    One query for the rows, with the location, the owning integration and the guest counts, whatever
    the page size.
    """
    events = event_queryset_restrict(user=user, access=Access.VIEW)
    words = search.split()
    for word in words[:8]:
        guests = Invitation.objects.filter(event=OuterRef("pk")).filter(
            Q(contact__first_name__icontains=word)
            | Q(contact__last_name__icontains=word)
            | Q(contact__email__icontains=word)
            | Q(contact__company_name__icontains=word)
        )
        events = events.filter(Q(name__icontains=word) | Q(location__name__icontains=word) | Exists(guests))
    upcoming = Q(ends_at__gte=now)
    return (
        events.select_related("location", "integration")
        .only(
            "id",
            "name",
            "starts_at",
            "ends_at",
            "status",
            "location__id",
            "location__name",
            "location__timezone",
            "integration__id",
            "integration__name",
        )
        .annotate(
            guest_count=_guest_count(),
            arrived_count=_guest_count(statuses=ARRIVED),
            is_upcoming=Case(
                When(upcoming, then=Value(True)), default=Value(False), output_field=BooleanField()
            ),
        )
        .order_by(
            F("is_upcoming").desc(),
            Case(When(upcoming, then=F("starts_at"))).asc(nulls_last=True),
            F("starts_at").desc(),
            "id",
        )
    )


def visit_get(*, user: AbstractBaseUser, pk: int, access: Access = Access.VIEW) -> Event:
    """A visit the user may see (or change); anyone else's is a 404."""
    events = event_queryset_restrict(user=user, access=access).select_related(
        "location", "entrance", "host", "creator", "integration"
    )
    return get_object_or_404(events, pk=pk)


def event_changeable(*, user: AbstractBaseUser, pk: int) -> bool:
    return event_queryset_restrict(user=user, access=Access.CHANGE).filter(pk=pk).exists()


def visit_by_portal_key(*, user: AbstractBaseUser, source_id: str) -> Event | None:
    """The user's portal visit with this key, if the new-visit form that carries it was already sent."""
    events = event_queryset_restrict(user=user, access=Access.CHANGE)
    return events.filter(integration__isnull=True, source_id=source_id).first()


def visit_guests(*, event: Event) -> list[Invitation]:
    """The visit's guests in the order they were invited, removed ones last."""
    invitations = Invitation.objects.filter(event=event).select_related("contact")
    return sorted(invitations, key=lambda inv: (inv.status == Invitation.Status.CANCELLED, inv.pk))


def invitation_get(*, event: Event, pk: int) -> Invitation:
    return get_object_or_404(Invitation.objects.select_related("contact"), event=event, pk=pk)


def custom_fields_for(*, level: str) -> list[CustomField]:
    """The active custom fields that apply to events ("event") or to guests ("invitation")."""
    scopes = (
        (CustomField.Scope.EVENT, CustomField.Scope.BOTH)
        if level == "event"
        else (CustomField.Scope.INVITATION, CustomField.Scope.BOTH)
    )
    return list(CustomField.objects.filter(is_active=True, scope__in=scopes).order_by("name", "id"))


def locations_for_visit(*, current: int | None = None) -> list[Location]:
    """The active locations (and the visit's own, should it have been deactivated since)."""
    return list(Location.objects.filter(Q(is_active=True) | Q(pk=current)).order_by("name", "id"))


def entrances_of(*, location_ids: list[int]) -> list[Entrance]:
    return list(Entrance.objects.filter(location_id__in=location_ids).order_by("location_id", "name", "id"))


def colleagues_active() -> list[Employee]:
    return list(Employee.objects.filter(is_active=True).order_by("last_name", "first_name", "email"))
