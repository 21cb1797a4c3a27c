"""Who may see and change which visits: the one place that decides, for every door.

Every list, page, admin changelist, autocomplete and API view that shows events or guests to a person
starts from these querysets; a view never filters by hand. Another location's or another employee's
visit is simply not in the queryset, so it answers 404.

- Superusers see everything.
- Staff users (reception, location admins) see the visits at the locations they work at
  (`Location.staff`), and nothing of other locations.
- Employees (a user linked to an `Employee`) see the visits they host or created.
- Anyone else sees nothing.
"""

from __future__ import annotations

import enum

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404

from apps.directory.models import Entrance, Location
from apps.integrations.models import CheckInGrant, Integration
from apps.visits.models import AuditEntry, CheckIn, Contact, Event, Invitation

FRONTDESK_PERMISSION = "reception.use_frontdesk"


class Access(enum.StrEnum):
    VIEW = "view"
    CHANGE = "change"


def _event_filter(user: AbstractBaseUser | AnonymousUser, access: Access, prefix: str = "") -> Q | None:
    """The events the user may see or change; None: all of them.

    `prefix` ("event__") states the same of the rows that belong to an event (invitations). No condition
    joins a to-many relation, so the querysets need no DISTINCT and filter the rows themselves: with
    10,000 events a desk's guest list stays a plain index lookup.
    """
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.is_superuser:
        return None
    if user.is_staff:
        workplaces = Location.staff.through.objects.filter(user_id=user.pk).values("location_id")
        return Q(**{f"{prefix}location_id__in": workplaces})
    employee_id = getattr(getattr(user, "employee", None), "pk", None)
    if employee_id is None:
        return Q(pk__in=[])
    mine = Q(**{f"{prefix}host_id": employee_id}) | Q(**{f"{prefix}creator_id": employee_id})
    if access == Access.CHANGE:
        # Visits owned by an integration change only through it (the calendar that sent them).
        return mine & Q(**{f"{prefix}integration__isnull": True})
    return mine


def event_queryset_restrict(
    *,
    user: AbstractBaseUser | AnonymousUser,
    access: Access = Access.VIEW,
    queryset: QuerySet[Event] | None = None,
) -> QuerySet[Event]:
    events = Event.objects.all() if queryset is None else queryset
    condition = _event_filter(user, access)
    return events if condition is None else events.filter(condition)


def invitation_queryset_restrict(
    *,
    user: AbstractBaseUser | AnonymousUser,
    access: Access = Access.VIEW,
    queryset: QuerySet[Invitation] | None = None,
) -> QuerySet[Invitation]:
    invitations = Invitation.objects.all() if queryset is None else queryset
    condition = _event_filter(user, access, prefix="event__")
    return invitations if condition is None else invitations.filter(condition)


def contact_queryset_restrict(
    *, user: AbstractBaseUser | AnonymousUser, queryset: QuerySet[Contact] | None = None
) -> QuerySet[Contact]:
    """The guests invited to a visit the user may see."""
    contacts = Contact.objects.all() if queryset is None else queryset
    if _event_filter(user, Access.VIEW) is None:
        return contacts
    return contacts.filter(pk__in=invitation_queryset_restrict(user=user).values("contact_id"))


def location_queryset_restrict(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Location]:
    """The locations a staff user works at (all for superusers); none for anyone else."""
    if not user.is_authenticated or not user.is_active:
        return Location.objects.none()
    if user.is_superuser:
        return Location.objects.all()
    if user.is_staff:
        return Location.objects.filter(staff=user)
    return Location.objects.none()


def entrance_queryset_restrict(
    *, user: AbstractBaseUser | AnonymousUser, queryset: QuerySet[Entrance] | None = None
) -> QuerySet[Entrance]:
    """The entrances of the locations the user works at (all for superusers)."""
    entrances = Entrance.objects.all() if queryset is None else queryset
    if user.is_authenticated and user.is_active and user.is_superuser:
        return entrances
    return entrances.filter(location__in=location_queryset_restrict(user=user).values("pk"))


def audit_entry_queryset_restrict(
    *, user: AbstractBaseUser | AnonymousUser, queryset: QuerySet[AuditEntry] | None = None
) -> QuerySet[AuditEntry]:
    """The audit trail of the events the user may see."""
    entries = AuditEntry.objects.all() if queryset is None else queryset
    if _event_filter(user, Access.VIEW) is None:
        return entries
    return entries.filter(event__in=event_queryset_restrict(user=user).values("pk"))


def frontdesk_location_queryset(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Location]:
    """The active locations whose front desk the user may work (needs the front desk permission)."""
    if not user.is_authenticated or not user.has_perm(FRONTDESK_PERMISSION):
        return Location.objects.none()
    return location_queryset_restrict(user=user).filter(is_active=True)


class NotFoundOutsideScopeMixin:
    """Admin pages: an object outside the user's restricted queryset is a 404, as if it did not exist.

    (Django's admin would otherwise redirect to its index with "perhaps it was deleted?".)
    """

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj


# --- Integrations: check-ins -----------------------------------------------------------------------
# An integration sees the check-ins of its own events, and every check-in at a location it was granted
# check-in access to (whichever door made the visit); it may check guests in and out at the same. The
# rest answers 404, as if absent. (Events themselves are another matter: the sync endpoints show an
# integration its own events only, apps.visits.selectors.)


def _granted_locations(integration: Integration) -> QuerySet[CheckInGrant]:
    return CheckInGrant.objects.filter(integration_id=integration.pk).values("location_id")


def check_in_queryset_restrict(
    *, integration: Integration, queryset: QuerySet[CheckIn] | None = None
) -> QuerySet[CheckIn]:
    """The check-ins the integration may see (and check out)."""
    check_ins = CheckIn.objects.all() if queryset is None else queryset
    return check_ins.filter(
        Q(invitation__event__integration_id=integration.pk)
        | Q(location_id__in=_granted_locations(integration))
    )


def invitation_queryset_restrict_check_in(
    *, integration: Integration, queryset: QuerySet[Invitation] | None = None
) -> QuerySet[Invitation]:
    """The guests the integration may check in: of its own events, or of events at granted locations."""
    invitations = Invitation.objects.all() if queryset is None else queryset
    return invitations.filter(
        Q(event__integration_id=integration.pk) | Q(event__location_id__in=_granted_locations(integration))
    )


def integration_may_see_check_in(*, integration: Integration, check_in: CheckIn) -> bool:
    """The same rule for one loaded check-in (webhook fan-out), without a query per integration."""
    if check_in.invitation.event.integration_id == integration.pk:
        return True
    return any(grant.location_id == check_in.location_id for grant in integration.checkin_grants.all())


def integration_may_see_invitation(*, integration: Integration, invitation: Invitation) -> bool:
    """Whether the integration hears of this guest (its own event, or a granted location): webhooks."""
    if invitation.event.integration_id == integration.pk:
        return True
    return any(
        grant.location_id == invitation.event.location_id for grant in integration.checkin_grants.all()
    )
