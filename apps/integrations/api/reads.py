"""The read API's list and detail answers: rows paged by the view, rendered as JSON text in one go.

Serializers cost some 30,000 field look-ups and 4,400 model instances for a page of 200 events with 10
guests each (issue #14). Instead, a page's rows are only its keys; PostgreSQL renders the objects as JSON
text (`reads_sql`), which this module joins into the answer; on other databases (the SQLite demo) they are
rendered from plain rows in Python (`reads_rows`). The shape is still defined once: the serializers
describe it for the OpenAPI schema, and tests/integrations/test_read_shape.py proves that both renderers
give exactly the bytes those serializers give, over every kind of value an event can hold.

Any list can use `texts_page`: it filters and pages a view's queryset as usual and answers with the texts
a render function gives for the page's rows, in a fixed number of queries.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from rest_framework.generics import GenericAPIView
from rest_framework.utils.encoders import JSONEncoder

from apps.core.json_sql import json_sql_available
from apps.core.memory import cyclic_gc_paused
from apps.integrations.api import reads_rows, reads_sql
from apps.visits.models import Event
from apps.visits.selectors import EVENT_ROW_FIELDS, EventRow

JSON_CONTENT_TYPE = "application/json"


def json_text(value: Any) -> str:
    """`value` as JSONRenderer writes it (compact, non-ASCII as is), before its U+2028/9 escaping."""
    return json.dumps(value, cls=JSONEncoder, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def javascript_safe(text: str) -> str:
    """JSON text with U+2028 and U+2029 escaped, as JSONRenderer does, so that it is JavaScript too."""
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def json_answer(text: str, *, status: int = 200) -> HttpResponse:
    """A response of JSON text, as DRF's JSONRenderer would have sent it."""
    return HttpResponse(javascript_safe(text).encode(), status=status, content_type=JSON_CONTENT_TYPE)


def texts_page(view: GenericAPIView, render: Callable[[list[Any]], Sequence[str]]) -> HttpResponse:
    """A list view's answer, `{"results": [...], "next": url}`: its queryset filtered and paged as usual,
    the page's rows rendered by `render` as one JSON text each (loading what they need all at once)."""
    queryset: QuerySet[Any, Any] = view.filter_queryset(view.get_queryset())
    rows = view.paginate_queryset(queryset)
    if rows is None or view.paginator is None:
        # Every list of the API is paged; a view without a paginator would answer without `next`.
        raise TypeError(f"{type(view).__name__} has no pagination_class.")
    texts = render(list(rows))
    return json_answer(
        '{"results":[' + ",".join(texts) + '],"next":' + json_text(view.paginator.get_next_link()) + "}"
    )


def event_keys(events: QuerySet[Event]) -> QuerySet[Event, EventRow]:
    """What a page of events loads of each row: on PostgreSQL, which renders the events itself, only the
    id and the paging position; elsewhere the whole row."""
    return events.values("id", "starts_at") if json_sql_available() else events.values(*EVENT_ROW_FIELDS)


def events_texts(rows: list[EventRow]) -> list[str]:
    """The JSON text of each event row of `event_keys`, times in the active time zone."""
    # As DRF's DateTimeField renders them: UTC unless someone activates another zone.
    zone = timezone.get_current_timezone()
    if json_sql_available():
        return reads_sql.events_json(event_ids=[row["id"] for row in rows], zone=zone)
    # Some 50,000 short-lived objects for a page of 200 events, none in a reference cycle.
    with cyclic_gc_paused():
        return [json_text(event) for event in reads_rows.events_render(rows, zone=zone)]
