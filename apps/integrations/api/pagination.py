from typing import Any

from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response

from apps.integrations.api.errors import ProblemError, ProblemField

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

    def decode_cursor(self, request: Request) -> Any:
        try:
            return super().decode_cursor(request)
        except NotFound:
            # A mangled cursor is a bad query value, not a missing resource.
            raise _bad_query(field=self.cursor_query_param, message="This cursor is not valid.") from None

    def get_paginated_response(self, data: list[Any]) -> Response:
        return Response({"results": data, "next": self.get_next_link()})

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["results", "next"],
            "properties": {
                "results": schema,
                "next": {"type": "string", "format": "uri", "nullable": True},
            },
        }


class EventCursorPage(CursorPage):
    # Chronological for people reading the list; the id breaks ties between events at the same time.
    ordering = ("starts_at", "id")
