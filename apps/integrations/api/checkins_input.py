"""What a client sends to the check-ins API: the list's filters and the check-in body, parsed strictly."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from apps.integrations.api.errors import ProblemError, ProblemField
from apps.integrations.api.filters import IdFilter, NonEmptyFilterForm, OffsetDateTimeFilter
from apps.integrations.api.parsing import MAX_ID
from apps.integrations.models import Integration
from apps.visits.models import CheckIn

MAX_TEXT = 255


class CheckInFilter(django_filters.FilterSet):
    locationId = IdFilter(field_name="location_id", label="Check-ins at this location.")
    state = django_filters.ChoiceFilter(
        choices=CheckIn.State.choices, method="filter_state", label="ON_SITE or LEFT."
    )
    arrivedAfter = OffsetDateTimeFilter(
        field_name="arrived_at", lookup_expr="gte", label="Arrivals at or after this time."
    )
    arrivedBefore = OffsetDateTimeFilter(
        field_name="arrived_at", lookup_expr="lt", label="Arrivals before this time."
    )
    leftAfter = OffsetDateTimeFilter(
        field_name="left_at", lookup_expr="gte", label="Guests who left at or after this time."
    )
    updatedSince = OffsetDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", label="Check-ins changed at or after this time."
    )
    eventSourceId = django_filters.CharFilter(
        method="filter_event_source_id", label="Check-ins of your event with this sourceId."
    )

    class Meta:
        model = CheckIn
        fields: list[str] = []
        form = NonEmptyFilterForm

    def filter_state(self, queryset: QuerySet[CheckIn], name: str, value: str) -> QuerySet[CheckIn]:
        return queryset.filter(left_at__isnull=value == CheckIn.State.ON_SITE)

    def filter_event_source_id(self, queryset: QuerySet[CheckIn], name: str, value: str) -> QuerySet[CheckIn]:
        # A sourceId is the caller's own identifier: another integration's event with the same one is not it.
        integration: Integration = self.request.auth
        if "\x00" in value:
            return queryset.none()
        return queryset.filter(
            Q(invitation__event__integration_id=integration.pk) & Q(invitation__event__source_id=value)
        )


@dataclass(frozen=True, slots=True)
class CheckInRequest:
    """Exactly one way of naming the guest."""

    invitation_id: int | None = None
    source_id: str | None = None
    event_source_id: str | None = None
    code: str | None = None
    entrance_id: int | None = None


def _refused(errors: list[ProblemField]) -> ProblemError:
    return ProblemError(status=400, detail="The request body is malformed. See `errors`.", errors=errors)


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= MAX_TEXT and "\x00" not in value


def check_in_request_parse(*, data: Any) -> CheckInRequest:
    """The body of POST /check-ins, or a 400 problem naming every offending field."""
    if not isinstance(data, dict):
        raise _refused([ProblemField(field="", message="Expected a JSON object.")])
    errors = [
        ProblemField(field=key, message="Unknown field.")
        for key in data
        if key not in ("invitation", "code", "entranceId")
    ]
    entrance_id = data.get("entranceId")
    if entrance_id is not None and not _is_id(entrance_id):
        errors.append(ProblemField(field="entranceId", message=f"Expected an entrance id, 1 to {MAX_ID}."))
    if ("invitation" in data) == ("code" in data):
        errors.append(ProblemField(field="", message="Send exactly one of `invitation` and `code`."))
        raise _refused(errors)
    if "code" in data:
        if not _is_text(data["code"]):
            errors.append(ProblemField(field="code", message="Expected the code of the guest's QR code."))
        if errors:
            raise _refused(errors)
        return CheckInRequest(code=data["code"], entrance_id=entrance_id)

    ref = data["invitation"]
    if not isinstance(ref, dict):
        raise _refused([*errors, ProblemField(field="invitation", message="Expected a JSON object.")])
    errors += [
        ProblemField(field=f"invitation.{key}", message="Unknown field.")
        for key in ref
        if key not in ("id", "sourceId", "eventSourceId")
    ]
    if "id" in ref:
        if "sourceId" in ref or "eventSourceId" in ref:
            errors.append(
                ProblemField(
                    field="invitation", message="Send either `id` or `sourceId` with `eventSourceId`."
                )
            )
        elif not _is_id(ref["id"]):
            errors.append(
                ProblemField(field="invitation.id", message=f"Expected an invitation id, 1 to {MAX_ID}.")
            )
        if errors:
            raise _refused(errors)
        return CheckInRequest(invitation_id=ref["id"], entrance_id=entrance_id)
    for key in ("sourceId", "eventSourceId"):
        if not _is_text(ref.get(key)):
            errors.append(
                ProblemField(
                    field=f"invitation.{key}", message=f"Expected a text of 1 to {MAX_TEXT} characters."
                )
            )
    if errors:
        raise _refused(errors)
    return CheckInRequest(
        source_id=ref["sourceId"], event_source_id=ref["eventSourceId"], entrance_id=entrance_id
    )
