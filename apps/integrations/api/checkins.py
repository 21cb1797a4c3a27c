"""/api/v2/check-ins: what happened at the door, for the integrations that may see it.

Thin as the other API views: parse, find through the selectors (apps.visits.access decides), call the
front desk's own services with the integration as actor, render.
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.json_sql import json_sql_available
from apps.integrations.api import schema
from apps.integrations.api.checkins_input import CheckInFilter, check_in_request_parse
from apps.integrations.api.checkins_selectors import check_in_get, check_in_list, invitation_id_find
from apps.integrations.api.checkins_serializers import INTEGRATION_CONTEXT, CheckInSerializer
from apps.integrations.api.checkins_sql import check_ins_json
from apps.integrations.api.errors import PROBLEM_CONTENT_TYPE, ProblemError, ProblemResponse, problem_body
from apps.integrations.api.pagination import CursorPage
from apps.integrations.api.parsing import MAX_ID
from apps.integrations.api.reads import json_text, texts_page
from apps.integrations.api.request_ids import REQUEST_ID_HEADER, request_id_of
from apps.integrations.models import Integration
from apps.visits.actors import Actor
from apps.visits.checkins import CheckInRefusal, CheckInRefused, invitation_check_in, invitation_check_out
from apps.visits.models import CheckIn

# Refusals the contract answers with a 409 and a `code`; an unknown guest is a 404 like any other.
CONFLICT_CODES = (
    CheckInRefusal.INVITATION_CANCELLED,
    CheckInRefusal.NOT_EXPECTED_TODAY,
    CheckInRefusal.ENTRANCE_NOT_AT_LOCATION,
    CheckInRefusal.NOT_ON_SITE,
)
NOT_FOUND = "No check-in or guest with this reference is visible to this integration."


_TEXT = {"type": "string", "minLength": 1, "maxLength": 255}
_ENTRANCE = {
    "type": ["integer", "null"],
    "minimum": 1,
    "maximum": MAX_ID,
    "description": "Where the guest came in: an entrance of the visit's location.",
}
# Exactly one way of naming the guest; the parser (checkins_input.py) refuses anything else with a 400.
CHECK_IN_REQUEST_SCHEMA = {
    "oneOf": [
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["invitation"],
            "properties": {
                "invitation": {
                    "oneOf": [
                        {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["id"],
                            "properties": {"id": {"type": "integer", "minimum": 1, "maximum": MAX_ID}},
                        },
                        {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["sourceId", "eventSourceId"],
                            "properties": {"sourceId": _TEXT, "eventSourceId": _TEXT},
                        },
                    ]
                },
                "entranceId": _ENTRANCE,
            },
        },
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["code"],
            "properties": {
                "code": {**_TEXT, "description": "The code in the guest's QR code."},
                "entranceId": _ENTRANCE,
            },
        },
    ]
}


class CheckInProblemSerializer(schema.ProblemSerializer):
    code = serializers.ChoiceField(choices=[code.value for code in CONFLICT_CODES])


def _integration(request: Request) -> Integration:
    return cast(Integration, request.auth)


def _not_found() -> ProblemError:
    return ProblemError(status=404, detail=NOT_FOUND)


def _conflict(refusal: CheckInRefused) -> ProblemResponse:
    if refusal.code not in CONFLICT_CODES:
        raise _not_found()
    return ProblemResponse(
        {**problem_body(status=409, detail=str(refusal.message)), "code": refusal.code.value},
        status=409,
        content_type=PROBLEM_CONTENT_TYPE,
    )


class CheckInCursorPage(CursorPage):
    # Newest arrival first; the id breaks ties between guests who arrived at the same instant.
    ordering = ("-arrived_at", "-id")


def _check_in_id(raw: int) -> int:
    # The path converter takes any digits; a number no id column holds is simply not there.
    value = int(raw)
    if not 1 <= value <= MAX_ID:
        raise _not_found()
    return value


class _CheckInRendering:
    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), INTEGRATION_CONTEXT: _integration(self.request)}

    def _render(self, request: Request, check_in_id: int, *, status: int, request_id: str) -> Response:
        check_in = check_in_get(integration=_integration(request), check_in_id=check_in_id)
        if check_in is None:
            raise _not_found()
        data = CheckInSerializer(check_in, context={INTEGRATION_CONTEXT: _integration(request)}).data
        return Response(data, status=status, headers={REQUEST_ID_HEADER: request_id})


CONFLICT = {
    (409, PROBLEM_CONTENT_TYPE): OpenApiResponse(
        CheckInProblemSerializer, description="Refused at the door; `code` says why."
    )
}


class CheckInsView(_CheckInRendering, generics.ListAPIView):
    serializer_class = CheckInSerializer
    pagination_class = CheckInCursorPage
    filterset_class = CheckInFilter

    def get_queryset(self) -> QuerySet[CheckIn, Any]:
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reading the view: no caller
            return CheckIn.objects.none()
        check_ins = check_in_list(integration=_integration(self.request))
        if json_sql_available():
            # PostgreSQL renders the page's check-ins itself (checkins_sql): a page loads only its keys.
            return check_ins.prefetch_related(None).values("id", "arrived_at")
        return check_ins

    def _texts(self, rows: list[Any]) -> list[str]:
        integration = _integration(self.request)
        if json_sql_available():
            return check_ins_json(check_in_ids=[row["id"] for row in rows], integration=integration)
        context = {INTEGRATION_CONTEXT: integration}
        return [json_text(CheckInSerializer(check_in, context=context).data) for check_in in rows]

    @extend_schema(
        operation_id="check_ins_list",
        summary="List check-ins",
        description=(
            "Check-ins of the integration's own events and at the locations it has check-in access to, "
            "newest arrival first."
        ),
        responses={200: CheckInSerializer(many=True), **schema.READ_PROBLEMS},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        return texts_page(self, self._texts)

    @extend_schema(
        operation_id="check_ins_create",
        summary="Check a guest in",
        description=(
            "Name the guest by `invitation` (`{id}` or your `{sourceId, eventSourceId}`) or by the `code` "
            "of their QR code. 201 with the new check-in; 200 with the current one if already on site."
        ),
        request={"application/json": CHECK_IN_REQUEST_SCHEMA},
        responses={
            201: CheckInSerializer,
            200: CheckInSerializer,
            **schema.problem_responses(
                {
                    400: "Malformed body; every offending field is listed in `errors`.",
                    401: "Missing, unknown or revoked token.",
                    404: "No such guest, or not one this integration may check in.",
                    415: "A body that is not `application/json`.",
                }
            ),
            **CONFLICT,
        },
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        integration = _integration(request)
        parsed = check_in_request_parse(data=request.data)
        invitation_id = invitation_id_find(integration=integration, request=parsed)
        if invitation_id is None:
            raise _not_found()
        request_id = request_id_of(request)
        try:
            result = invitation_check_in(
                actor=Actor.of_integration(integration, request_id=request_id),
                invitation_id=invitation_id,
                entrance_id=parsed.entrance_id,
            )
        except CheckInRefused as refusal:
            return _conflict(refusal)
        if result.check_in is None:
            raise _not_found()
        return self._render(
            request, result.check_in.pk, status=201 if result.changed else 200, request_id=request_id
        )


class CheckInDetailView(_CheckInRendering, generics.GenericAPIView):
    serializer_class = CheckInSerializer

    @extend_schema(
        operation_id="check_ins_retrieve",
        summary="One check-in",
        responses={
            200: CheckInSerializer,
            **schema.problem_responses(
                {401: "Missing, unknown or revoked token.", 404: "No such check-in visible to you."}
            ),
        },
    )
    def get(self, request: Request, id: int) -> Response:
        return self._render(request, _check_in_id(id), status=200, request_id=request_id_of(request))


class CheckInCheckOutView(_CheckInRendering, generics.GenericAPIView):
    serializer_class = CheckInSerializer

    @extend_schema(
        operation_id="check_ins_check_out",
        summary="The guest leaves",
        description="200 with the check-in in state LEFT; again: 200, unchanged.",
        request=None,
        responses={
            200: CheckInSerializer,
            **schema.problem_responses(
                {401: "Missing, unknown or revoked token.", 404: "No such check-in visible to you."}
            ),
            **CONFLICT,
        },
    )
    def post(self, request: Request, id: int) -> Response:
        integration = _integration(request)
        request_id = request_id_of(request)
        check_in = check_in_get(integration=integration, check_in_id=_check_in_id(id))
        if check_in is None:
            raise _not_found()
        if check_in.left_at is None:
            try:
                invitation_check_out(
                    actor=Actor.of_integration(integration, request_id=request_id),
                    invitation_id=check_in.invitation_id,
                )
            except CheckInRefused as refusal:
                return _conflict(refusal)
        return self._render(request, check_in.pk, status=200, request_id=request_id)
