"""The /api/v2/ views: authorize, parse, call a selector or the engine, render. Nothing else lives here."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.memory import cyclic_gc_paused
from apps.directory.models import AccessPartition, CustomField, Location
from apps.directory.selectors import access_partition_list, custom_field_list_active, location_list_active
from apps.integrations.api import schema
from apps.integrations.api.errors import ProblemError, ProblemField
from apps.integrations.api.filters import EventFilter
from apps.integrations.api.pagination import CursorPage, EventCursorPage
from apps.integrations.api.parsing import (
    IGNORE_MISSING_INVITATIONS_PARAM,
    QUERY_FLAG_VALUES,
    sync_request_parse,
)
from apps.integrations.api.reads import (
    JSON_CONTENT_TYPE,
    event_keys,
    events_texts,
    json_answer,
    texts_page,
)
from apps.integrations.api.request_ids import REQUEST_ID_HEADER, request_id_of
from apps.integrations.api.serializers import (
    AccessPartitionSerializer,
    CustomFieldSerializer,
    EventSerializer,
    LocationSerializer,
)
from apps.integrations.api.sync_results import sync_results_render
from apps.integrations.models import Integration
from apps.integrations.services import sync_request_record
from apps.visits.actors import Actor
from apps.visits.models import Event
from apps.visits.selectors import EventRow, event_list, event_list_by_source_id
from apps.visits.sync import events_sync


def _integration(request: Request) -> Integration:
    # IsIntegration has already ensured this; the view only needs it typed.
    return cast(Integration, request.auth)


def _body_read(request: Request) -> bytes:
    """The raw JSON body: a 415 for another media type, a 411 for a body the server could not read, and
    a 413 for one over the configured size, before and while reading it."""
    limit = settings.SYNC_MAX_BODY_BYTES
    if settings.DATA_UPLOAD_MAX_MEMORY_SIZE is not None:
        # Normally the same value; if someone set Django's lower, that is the one that bites.
        limit = min(limit, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    too_large = ProblemError(
        status=413,
        detail=f"The request body is larger than the {limit} bytes this server accepts.",
    )
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise too_large
    try:
        body = request.body  # Django checks DATA_UPLOAD_MAX_MEMORY_SIZE here as well
    except RequestDataTooBig:
        raise too_large from None
    # A body sent without Content-Length (chunked, through ASGI) can only be measured once read.
    if len(body) > limit:
        raise too_large
    if not body and request.META.get("HTTP_TRANSFER_ENCODING"):
        # A WSGI server hands Django no chunked body (Transfer-Encoding overrides any Content-Length):
        # what arrives empty was never read, and "not valid JSON" would blame the client's JSON for it.
        raise ProblemError(
            status=411,
            detail="Send the body with a Content-Length header; a chunked body is not read here.",
        )
    # DRF would only look at the Content-Type when parsing, which this view does by hand. An empty body
    # has no media type to get wrong: it is simply not JSON (a 400 from the parser).
    if body and request._request.content_type != JSON_CONTENT_TYPE:
        raise ProblemError(
            status=415,
            detail=f"Send the body as {JSON_CONTENT_TYPE} (the Content-Type header says what it is).",
        )
    return body


class EventsView(generics.ListAPIView):
    """GET lists the integration's events; PUT synchronizes events and their guests."""

    # The serializer describes the answer for the schema; `events_texts` renders it (see reads.py).
    serializer_class = EventSerializer
    pagination_class = EventCursorPage
    filterset_class = EventFilter

    def get_queryset(self) -> QuerySet[Event, EventRow]:
        return event_keys(event_list(integration=_integration(self.request)))

    @extend_schema(
        operation_id="events_list",
        summary="List the integration's events",
        description="Active and cancelled events of the calling integration, oldest start first.",
        responses={200: EventSerializer(many=True), **schema.READ_PROBLEMS},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        return texts_page(self, events_texts)

    @extend_schema(
        operation_id="events_sync",
        summary="Synchronize events and invitations",
        description=(
            "Creates, updates or cancels each event by its `sourceId`. One result per event, in "
            "request order; an event with an error status changes nothing, the others proceed."
        ),
        parameters=[
            OpenApiParameter(
                IGNORE_MISSING_INVITATIONS_PARAM,
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                # The exact spellings the parser takes, so a validator or generated client agrees with it.
                enum=list(QUERY_FLAG_VALUES),
                default="false",
                description=(
                    "`true` or `1`: guests missing from a sent `invitations` list are kept (remove one with "
                    "`deletedAt`). `false` or `0` (default): the sent list is the whole guest list."
                ),
            )
        ],
        request=schema.EventsSyncSerializer,
        responses={
            200: schema.EventsSyncResultsSerializer,
            **schema.problem_responses(
                {
                    400: "Malformed body or query; every offending field is listed in `errors`.",
                    401: "Missing, unknown or revoked token.",
                    403: "`agentToken` is not the authenticated integration's.",
                    411: "A chunked body (no Content-Length), which this server does not read.",
                    413: "Too many events, or a body over the size limit.",
                    415: "A body that is not `application/json`.",
                }
            ),
        },
    )
    def put(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        integration = _integration(request)
        request_id = request_id_of(request)
        received_at = timezone.now()
        started = time.perf_counter()
        # Parsing a large body allocates as much as the sync itself: neither needs the cycle collector.
        with cyclic_gc_paused():
            sync_request = sync_request_parse(
                body=_body_read(request), query=request.query_params, max_events=settings.SYNC_MAX_EVENTS
            )
            if sync_request.agent_token != integration.agent_token:
                raise ProblemError(
                    status=403,
                    detail="The agentToken does not belong to the integration of this token.",
                    errors=[ProblemField(field="agentToken", message="Not your integration's agentToken.")],
                )
            results = events_sync(
                actor=Actor.of_integration(integration, request_id=request_id),
                events=sync_request.events,
                ignore_missing_invitations=sync_request.ignore_missing_invitations,
            )
            sync_request_record(
                integration=integration,
                request_id=request_id,
                received_at=received_at,
                duration=time.perf_counter() - started,
                statuses=Counter(str(result.status) for result in results),
                actions=Counter(str(result.action) for result in results if result.action is not None),
            )
            return Response(sync_results_render(results), headers={REQUEST_ID_HEADER: request_id})


class EventDetailView(generics.RetrieveAPIView):
    serializer_class = EventSerializer

    @extend_schema(
        operation_id="events_retrieve",
        summary="One event by its sourceId",
        description="The event as last written, plus the portal's view of it and of each guest.",
        responses={
            200: EventSerializer,
            **schema.problem_responses(
                {401: "Missing, unknown or revoked token.", 404: "The integration has no such event."}
            ),
        },
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        events = event_list_by_source_id(integration=_integration(request), source_id=self.kwargs["sourceId"])
        row = next(iter(event_keys(events)[:1]), None)
        if row is None:
            # Another integration's event answers exactly like one that does not exist.
            raise ProblemError(status=404, detail="This integration has no event with this sourceId.")
        return json_answer(events_texts([row])[0])


@extend_schema(
    summary="Active locations and their entrances",
    responses={200: LocationSerializer(many=True), **schema.READ_PROBLEMS},
)
class LocationsView(generics.ListAPIView):
    serializer_class = LocationSerializer
    pagination_class = CursorPage
    filter_backends: list[type] = []

    def get_queryset(self) -> QuerySet[Location]:
        return location_list_active()


@extend_schema(
    summary="Active custom fields",
    responses={200: CustomFieldSerializer(many=True), **schema.READ_PROBLEMS},
)
class CustomFieldsView(generics.ListAPIView):
    serializer_class = CustomFieldSerializer
    pagination_class = CursorPage
    filter_backends: list[type] = []

    def get_queryset(self) -> QuerySet[CustomField]:
        return custom_field_list_active()


@extend_schema(
    summary="Access partitions and their profiles",
    responses={200: AccessPartitionSerializer(many=True), **schema.READ_PROBLEMS},
)
class AccessPartitionsView(generics.ListAPIView):
    serializer_class = AccessPartitionSerializer
    pagination_class = CursorPage
    filter_backends: list[type] = []

    def get_queryset(self) -> QuerySet[AccessPartition]:
        return access_partition_list()
