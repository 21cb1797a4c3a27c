"""SQL expressions that make PostgreSQL write JSON text spelled as Django REST framework renders it.

A page of 200 events with 10 guests each is some 2,000 objects; built in Python from rows, it costs
several times what PostgreSQL needs to build it as JSON by itself (issue #14). These helpers compose the
text of one document in SQL instead, in DRF's own spelling, so that the answer is the serializer's: no
spaces (COMPACT_JSON), non-ASCII as is (UNICODE_JSON), key order as written, times in ISO 8601 with `Z`
for UTC and microseconds only when there are some.

Every helper returns an SQL expression that is never NULL (a NULL value is the text `null`), so that the
pieces concatenate with `||`. Column references and zone expressions are trusted SQL from our own code;
nothing a client sends is ever put into them (values go in as query parameters).

PostgreSQL only: `json_sql_available()` says whether the database can do this. `texts_prepared` runs such
a statement: documents of this size take PostgreSQL as long to plan as to build for 50 events, so each
statement is prepared once per database connection (PREPARE, then EXECUTE), a named statement of the
session, which survives transactions and goes with the connection.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import weakref
import zoneinfo
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection

UTC_ZONES = frozenset({"UTC", "Etc/UTC", "Etc/Universal", "Universal", "Zulu", "Etc/Zulu"})


def json_sql_available() -> bool:
    return connection.vendor == "postgresql"


def zone_name(zone: dt.tzinfo) -> str:
    """The IANA name PostgreSQL knows a Python time zone by."""
    if isinstance(zone, zoneinfo.ZoneInfo):
        return zone.key
    if zone is dt.UTC:
        return "UTC"
    # A fixed offset (timezone(timedelta(...))) has no name PostgreSQL could look up.
    raise ValueError(f"No IANA name for the time zone {zone!r}.")


def sql_literal(value: str) -> str:
    """`value` as an SQL string literal (standard_conforming_strings: only quotes are doubled)."""
    return "'" + value.replace("'", "''") + "'"


def json_string(sql: str) -> str:
    """A text column as a JSON string (`to_json` escapes exactly as Python's json does)."""
    return f"coalesce(to_json({sql})::text, 'null')"


# The characters `to_json` (and Python's json) escape in a string; PostgreSQL's text never holds a NUL.
_NEEDS_ESCAPE = r'[\x01-\x1f"\\]'


def _json_string_plain(sql: str) -> str:
    return f"coalesce('\"' || {sql} || '\"', 'null')"


def json_strings_escaped_if_needed(
    columns: Sequence[str], build: Callable[[Callable[[str], str]], str]
) -> str:
    """`build(string)`, where `string(column)` writes one of `columns` as a JSON string: escaped only
    when one of them holds a character to escape, else merely quoted. Names and emails rarely hold one,
    and one test of them all costs less than escaping each (`to_json`)."""
    needs_escape = f"concat({', '.join(columns)}) ~ {sql_literal(_NEEDS_ESCAPE)}"
    return f"CASE WHEN {needs_escape} THEN {build(json_string)} ELSE {build(_json_string_plain)} END"


def json_number(sql: str) -> str:
    return f"coalesce(({sql})::text, 'null')"


def json_time(sql: str, *, zone: str) -> str:
    """A timestamptz as DRF's DateTimeField renders it in the time zone `zone` (an SQL expression giving
    an IANA name: a literal, a parameter or a column): `2026-12-01T09:00:00+01:00`, `…:00.000007Z`."""
    if zone.strip("'") in UTC_ZONES:
        # The zone nearly every answer uses, without the offset arithmetic.
        local = f"to_char(({sql}) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US')"
        return f"coalesce('\"' || replace({local}, '.000000', '') || 'Z\"', 'null')"
    local = f"to_char(({sql}) AT TIME ZONE {zone}, 'YYYY-MM-DD\"T\"HH24:MI:SS.US')"
    # Seconds east of UTC in that zone at that instant: Python writes ±HH:MM, ±HH:MM:SS when it has
    # seconds (historic local mean times), and `Z` for none at all.
    offset = f"extract(epoch from ({sql}) AT TIME ZONE {zone} - ({sql}) AT TIME ZONE 'UTC')::int"
    spelled = (
        f"CASE WHEN {offset} = 0 THEN 'Z' ELSE "
        f"CASE WHEN {offset} < 0 THEN '-' ELSE '+' END "
        f"|| to_char(make_interval(secs => abs({offset})), 'HH24:MI') "
        f"|| CASE WHEN mod(abs({offset}), 60) = 0 THEN '' "
        f"ELSE to_char(make_interval(secs => abs({offset})), ':SS') END END"
    )
    return f"coalesce('\"' || replace({local}, '.000000', '') || {spelled} || '\"', 'null')"


# jsonb's own text has a space after every `,` and `:` between tokens; strings are matched whole so that
# those inside them stay. (A NUL cannot occur: jsonb refuses it.)
_JSONB_SPACES = r"""("(?:[^"\\]|\\.)*")|([,:]) """


def json_value(sql: str) -> str:
    """A jsonb value as compact JSON text. Numbers keep jsonb's spelling, which is the number's full
    decimal form (`0.0000001` where Python writes `1e-07`): the same JSON number, never rounded."""
    # The empty object (most custom fields) compared as jsonb: cheaper than writing it out to look.
    return (
        f"coalesce(CASE WHEN ({sql}) = '{{}}'::jsonb THEN '{{}}' "
        f"ELSE regexp_replace(({sql})::text, {sql_literal(_JSONB_SPACES)}, '\\1\\2', 'g') END, 'null')"
    )


def json_merged(first: str, second: str) -> str:
    """Two jsonb objects merged as Python's `{**first, **second}` orders them: the first's keys (the
    second's value where it has one), then the second's other keys, each in jsonb's order."""
    merged = (
        "(SELECT '{' || string_agg(to_json(m.k)::text || ':' || "
        + json_value("m.v")
        + ", ',' ORDER BY m.g, m.n) || '}' FROM ("
        f"SELECT f.k, coalesce(({second}) -> f.k, f.v) AS v, 0 AS g, f.n "
        f"FROM jsonb_each({first}) WITH ORDINALITY AS f(k, v, n) "
        f"UNION ALL SELECT s.k, s.v, 1, s.n FROM jsonb_each({second}) WITH ORDINALITY AS s(k, v, n) "
        f"WHERE NOT ({first}) ? s.k) AS m)"
    )
    return (
        f"CASE WHEN ({second}) = '{{}}' THEN {json_value(first)} "
        f"WHEN ({first}) = '{{}}' THEN {json_value(second)} ELSE {merged} END"
    )


def json_object(fields: Sequence[tuple[str, str]]) -> str:
    """`{"key":value,…}` from (key, JSON text expression) pairs, keys in the order given."""
    parts = []
    for number, (key, value) in enumerate(fields):
        prefix = ("{" if number == 0 else ",") + json.dumps(key, ensure_ascii=False) + ":"
        parts.append(f"{sql_literal(prefix)} || {value}")
    if not parts:
        return "'{}'"
    return "(" + " || ".join(parts) + " || '}')"


def json_object_or_null(condition: str, fields: Sequence[tuple[str, str]]) -> str:
    return f"CASE WHEN {condition} THEN {json_object(fields)} ELSE 'null' END"


def json_array(element: str, *, rest: str, order_by: str) -> str:
    """`[…]` of `element` (a JSON text expression) over the rows of `rest` (FROM … WHERE …), in order."""
    return f"('[' || coalesce((SELECT string_agg({element}, ',' ORDER BY {order_by}) {rest}), '') || ']')"


# The statements prepared on each open connection (the psycopg connection object: a new one, after a
# reconnect, has none).
_prepared: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()


@functools.cache
def _statement_name(text: str, types: tuple[str, ...]) -> str:
    # The EXECUTE goes through Django's cursor, which interpolates `%s`: the statement must hold no `%`.
    assert "%" not in text
    return "json_" + hashlib.sha256(repr((text, types)).encode()).hexdigest()[:20]


def texts_prepared(*, text: str, types: Sequence[str], params: Sequence[Any]) -> list[str]:
    """The first column of every row `text` answers, a statement with parameters $1… of `types`.

    The statement's name is made from its text, so that a connection never runs an older statement of
    the same name."""
    name = _statement_name(text, tuple(types))
    connection.ensure_connection()
    prepared = _prepared.setdefault(connection.connection, set())
    if name not in prepared:
        # On the raw connection: setting up the session is not one of the queries a request makes.
        connection.connection.execute(f"PREPARE {name}({', '.join(types)}) AS {text}")
        prepared.add(name)
    placeholders = ", ".join(["%s"] * len(params))
    with connection.cursor() as cursor:
        cursor.execute(f"EXECUTE {name}({placeholders})", list(params))
        return [row[0] for row in cursor.fetchall()]
