from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from rest_framework.exceptions import NotFound
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response

from apps.integrations.api.errors import ProblemError, ProblemField
from apps.integrations.api.parsing import MAX_ID, datetime_parse

LIMIT_PARAM = "limit"
DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def _bad_query(*, field: str, message: str) -> ProblemError:
    return ProblemError(
        status=400,
        detail="The query is malformed. See `errors`.",
        errors=[ProblemField(field=field, message=message)],
    )


class CursorPage(CursorPagination):
    """`{"results": [...], "next": url | null}`; `limit` 1 to 200 (default 50), out of range is a 400."""

    page_size = DEFAULT_LIMIT
    max_page_size = MAX_LIMIT
    page_size_query_param = LIMIT_PARAM
    page_size_query_description = f"Items per page, 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT})."
    cursor_query_description = "The position to go on from: take it from `next`, do not build it."
    ordering = "id"

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(LIMIT_PARAM)
        if raw is None:
            return self.page_size
        # DRF would quietly clamp or ignore a bad limit; the contract says it is the client's error.
        if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= MAX_LIMIT):
            raise _bad_query(field=LIMIT_PARAM, message=f"Expected 1 to {MAX_LIMIT}.")
        return int(raw)

    def paginate_queryset(self, queryset: QuerySet[Any], request: Request, view: Any = None) -> Any:
        # decode_cursor needs the model to judge a cursor's position; DRF passes it only the request.
        self._model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request: Request) -> Cursor | None:
        invalid = _bad_query(field=self.cursor_query_param, message="This cursor is not valid.")
        if request.query_params.get(self.cursor_query_param) == "":
            raise invalid
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            # A mangled cursor is a bad query value, not a missing resource.
            raise invalid from None
        # Base64 of `p=abc` decodes fine, but the position goes into the query as a value of the ordering
        # field: one the column cannot hold would fail there (a 500), so it is refused here.
        if cursor is not None and cursor.position is not None and not self._position_valid(cursor.position):
            raise invalid
        return cursor

    def _position_valid(self, position: str) -> bool:
        field = self._model._meta.get_field(self.ordering[0].lstrip("-"))
        if isinstance(field, models.DateTimeField):
            # Positions are written as str(aware datetime); anything naive or unparseable is forged.
            return datetime_parse(position) is not None
        try:
            value = field.to_python(position)
        except ValidationError:
            return False
        if isinstance(field, models.IntegerField):
            return value is not None and -MAX_ID <= value <= MAX_ID
        return "\x00" not in position

    def get_paginated_response(self, data: list[Any]) -> Response:
        return Response({"results": data, "next": self.get_next_link()})

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == LIMIT_PARAM:
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": MAX_LIMIT,
                    "default": DEFAULT_LIMIT,
                }
        return parameters

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["results", "next"],
            "properties": {
                "results": schema,
                "next": {"type": ["string", "null"], "format": "uri"},
            },
        }


class EventCursorPage(CursorPage):
    # Chronological for people reading the list; the id breaks ties between events at the same time.
    ordering = ("starts_at", "id")
