from typing import Any

from django.db.models import Prefetch, QuerySet

from apps.directory.models import custom_fields_effective
from apps.integrations.models import Integration
from apps.visits.models import Event, Invitation


def invitation_effective_custom_fields(*, invitation: Invitation) -> dict[str, Any]:
    return custom_fields_effective(
        event_values=invitation.event.custom_fields, invitation_values=invitation.custom_fields
    )


def _events_with_guests(queryset: QuerySet[Event]) -> QuerySet[Event]:
    # Everything the API renders per event, in a fixed number of queries however many events there are.
    invitations = Invitation.objects.select_related("contact").prefetch_related("access_profiles")
    return queryset.select_related("host", "creator").prefetch_related(
        Prefetch("invitations", queryset=invitations)
    )


def event_list(*, integration: Integration) -> QuerySet[Event]:
    """The integration's events (active and cancelled), with host, creator, guests and access profiles."""
    return _events_with_guests(Event.objects.filter(integration=integration))


def event_get_by_source_id(*, integration: Integration, source_id: str) -> Event | None:
    """The integration's event with this `sourceId`, with its guests; None if it has none."""
    return event_list(integration=integration).filter(source_id=source_id).first()
