"""Shared set-up of the check-ins API tests: visits at fixed times and guests checked in at the desk."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model

from apps.directory.models import Employee
from apps.integrations.models import CheckInGrant, Integration
from apps.visits.actors import Actor, Door
from apps.visits.checkins import invitation_check_in, invitation_check_out
from apps.visits.models import CheckIn, Invitation
from tests.factories import EmployeeFactory, EventFactory, InvitationFactory

# Tuesday 1 December 2026, 09:00 to 11:00 in Berlin (CET, UTC+01:00).
STARTS = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
CHECK_INS_URL = "/api/v2/check-ins"


def desk_actor() -> Actor:
    user, _ = get_user_model().objects.get_or_create(username="desk", defaults={"is_staff": True})
    return Actor.of_user(user, door=Door.ADMIN)


def guest_of(
    *,
    location,
    integration: Integration | None,
    event_source_id: str | None = None,
    guest_source_id: str | None = None,
    starts_at: dt.datetime = STARTS,
    **event_fields,
) -> Invitation:
    event = EventFactory(
        integration=integration,
        source_id=event_source_id,
        location=location,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=2),
        host=event_fields.pop("host", None) or ada(),
        **{"name": "Board meeting", **event_fields},
    )
    return InvitationFactory(
        event=event,
        contact__integration=integration,
        contact__source_id=guest_source_id,
        contact__email="jsmith@example.com",
        contact__first_name="John",
        contact__last_name="Smith",
        contact__company_name="Acme",
    )


def ada() -> Employee:
    return Employee.objects.filter(email="ada@example.com").first() or EmployeeFactory(
        email="ada@example.com", first_name="Ada", last_name="Lovelace"
    )


def arrive(invitation: Invitation, at: dt.datetime, *, entrance_id: int | None = None) -> CheckIn:
    result = invitation_check_in(
        actor=desk_actor(), invitation_id=invitation.pk, at=at, entrance_id=entrance_id
    )
    assert result.check_in is not None
    return result.check_in


def leave(invitation: Invitation, at: dt.datetime) -> CheckIn:
    result = invitation_check_out(actor=desk_actor(), invitation_id=invitation.pk, at=at)
    assert result.check_in is not None
    return result.check_in


def grant(integration: Integration, location) -> CheckInGrant:
    return CheckInGrant.objects.create(integration=integration, location=location)
