import datetime as dt
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework.request import Request

from apps.core.text import email_normalize
from apps.integrations.api.parsing import MAX_ID, datetime_parse
from apps.visits.models import Event


class OffsetDateTimeField(forms.Field):
    """The same date-time rule as the request body: ISO 8601 with a UTC offset or Z."""

    default_error_messages = {
        "invalid": (
            "Expected an ISO 8601 date-time with a UTC offset or Z, e.g. 2026-12-01T09:00:00Z "
            "(in a URL, percent-encode the +)."
        )
    }

    def to_python(self, value: Any) -> dt.datetime | None:
        if value in self.empty_values:
            return None
        parsed = datetime_parse(str(value))
        if parsed is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed


class OffsetDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = OffsetDateTimeField


@extend_schema_field({"type": "integer", "minimum": -MAX_ID, "maximum": MAX_ID})
class IdFilter(django_filters.Filter):
    # Not NumberFilter: its DecimalField takes 1.5, and ids are integers.
    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Bounded like the id columns: a bigger number would fail the query instead of matching nothing.
        super().__init__(*args, min_value=-MAX_ID, max_value=MAX_ID, **kwargs)


class NonEmptyFilterForm(forms.Form):
    """A filter sent with an empty value (`?updatedSince=`) is malformed, like any other bad value.

    Django's fields read "" as "not given", which would quietly list everything instead.
    """

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for name in self.fields:
            if self.data.get(name) == "":
                self.add_error(name, "Must not be empty; leave the parameter out to not filter by it.")
        return cleaned


class EventFilter(django_filters.FilterSet):
    startsAfter = OffsetDateTimeFilter(
        field_name="starts_at", lookup_expr="gte", label="Events starting at or after this time."
    )
    startsBefore = OffsetDateTimeFilter(
        field_name="starts_at", lookup_expr="lt", label="Events starting before this time."
    )
    endsAfter = OffsetDateTimeFilter(
        field_name="ends_at", lookup_expr="gt", label="Events ending after this time."
    )
    locationId = IdFilter(field_name="location_id", label="Events at this location.")
    status = django_filters.ChoiceFilter(choices=Event.Status.choices, label="ACTIVE or CANCELLED.")
    updatedSince = OffsetDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", label="Events the portal changed at or after this time."
    )
    hostEmail = django_filters.CharFilter(
        method="filter_host_email", label="Events hosted by this email (case-insensitive)."
    )
    search = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", label="Events whose name contains this text."
    )

    class Meta:
        model = Event
        fields: list[str] = []
        form = NonEmptyFilterForm

    def filter_host_email(self, queryset: QuerySet[Event], name: str, value: str) -> QuerySet[Event]:
        # Employee emails are stored normalised, so an exact match on the normalised value uses the index.
        return queryset.filter(host__email=email_normalize(value))


class QueryFilterBackend(DjangoFilterBackend):
    """django-filter, skipped when the query names none of the view's filters: building and validating a
    FilterSet (a deep copy of every filter, a form) costs about a millisecond of every read, for nothing."""

    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> QuerySet[Any]:
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not any(
            name in request.query_params for name in filterset_class.base_filters
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)
