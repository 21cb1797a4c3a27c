"""Reads of the check-ins API, through apps.visits.access (the one place that decides who sees what)."""

from __future__ import annotations

from django.db.models import QuerySet

from apps.integrations.api.checkins_input import CheckInRequest
from apps.integrations.models import Integration
from apps.visits.access import check_in_queryset_restrict, invitation_queryset_restrict_check_in
from apps.visits.models import CheckIn


def check_in_list(*, integration: Integration) -> QuerySet[CheckIn]:
    """The check-ins the integration may see, with everything the check-in object renders (3 queries)."""
    rendered = CheckIn.objects.select_related(
        "location", "invitation__contact", "invitation__event__host"
    ).prefetch_related("invitation__access_profiles")
    return check_in_queryset_restrict(integration=integration, queryset=rendered)


def check_in_get(*, integration: Integration, check_in_id: int) -> CheckIn | None:
    return check_in_list(integration=integration).filter(pk=check_in_id).first()


def invitation_id_find(*, integration: Integration, request: CheckInRequest) -> int | None:
    """The guest the request names, if the integration may check them in; None if unknown or not visible."""
    invitations = invitation_queryset_restrict_check_in(integration=integration)
    if request.invitation_id is not None:
        invitations = invitations.filter(pk=request.invitation_id)
    elif request.code is not None:
        invitations = invitations.filter(token=request.code.strip())
    else:
        # The integration's own identifiers: of its own events only.
        invitations = invitations.filter(
            event__integration_id=integration.pk,
            event__source_id=request.event_source_id,
            contact__source_id=request.source_id,
        )
    return invitations.values_list("pk", flat=True).first()
