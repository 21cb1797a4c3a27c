from typing import Any

from apps.visits.models import Invitation


def custom_fields_effective(
    *, event_values: dict[str, Any], invitation_values: dict[str, Any]
) -> dict[str, Any]:
    """Event-level values apply to every guest; a guest's own value for the same field wins."""
    return {**event_values, **invitation_values}


def invitation_effective_custom_fields(*, invitation: Invitation) -> dict[str, Any]:
    return custom_fields_effective(
        event_values=invitation.event.custom_fields, invitation_values=invitation.custom_fields
    )
