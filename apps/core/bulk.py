"""One INSERT for many rows, optionally upserting, returning the ids in input order.

On PostgreSQL the rows go in as one `INSERT … SELECT FROM jsonb_to_recordset(<one JSON document>)`,
without preparing each value through the model field machinery, building a model instance per row or
quoting a literal per value, which together cost tens of microseconds per row and dominate large syncs.
Elsewhere this falls back to `bulk_create` with the same meaning.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone


def _column_value(field: models.Field, row: Mapping[str, Any], now: Any) -> Any:
    if field.attname in row:
        return row[field.attname]
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    return field.get_default()


def _column_sources(
    fields: list[models.Field], sample: Mapping[str, Any], now: Any
) -> list[tuple[str, str, Any]]:
    """How each column gets its value, decided once per statement: (column, "row"|"value"|"call", arg).

    Rows of one statement carry the same keys, so the first row tells which columns come from the rows.
    """
    sources = []
    for field in fields:
        if field.attname in sample:
            sources.append((field.column, "row", field.attname))
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            sources.append((field.column, "value", now))
        elif field.has_default() and callable(field.default):
            sources.append((field.column, "call", field.default))
        else:
            sources.append((field.column, "value", field.get_default()))
    return sources


def rows_insert(
    *,
    model: type[models.Model],
    rows: Sequence[Mapping[str, Any]],
    conflict_fields: Sequence[str] = (),
    update_fields: Sequence[str] = (),
    ignore_conflicts: bool = False,
    constants: Mapping[str, Any] | None = None,
) -> list[int | None]:
    """Insert `rows` (dicts keyed by attname; missing columns take their defaults) and return their ids.

    Every row of one call carries the same keys. `constants` (by attname) are the same for every row:
    they travel once, as one parameter each, instead of once per row.

    With `conflict_fields` and `update_fields`, a row that meets an existing one updates its
    `update_fields` (and `updated_at`, when the model has it) and returns the existing id. With
    `ignore_conflicts` such a row is skipped and its id is None.
    """
    if not rows:
        return []
    meta = model._meta
    now = timezone.now()
    with_pk = meta.pk.attname in rows[0]
    fields = [f for f in meta.concrete_fields if with_pk or not f.primary_key]
    updates = list(update_fields)
    if updates and any(f.attname == "updated_at" for f in fields) and "updated_at" not in updates:
        updates.append("updated_at")
    if connection.vendor != "postgresql" or ignore_conflicts:
        if constants:
            rows = [{**row, **constants} for row in rows]
        return _bulk_create(model, rows, fields, now, conflict_fields, updates, ignore_conflicts)

    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    by_column = {f.column: f for f in fields}
    sources = _column_sources(fields, {**rows[0], **(constants or {})}, now)
    if constants:
        sources = [
            (column, "value", constants[arg]) if how == "row" and arg in constants else (column, how, arg)
            for column, how, arg in sources
        ]
    per_row = [(column, how, arg) for column, how, arg in sources if how != "value"]
    if not per_row:  # json_to_recordset needs a column; rows this alike are rare enough to go the slow way
        return _bulk_create(
            model,
            [{**row, **(constants or {})} for row in rows],
            fields,
            now,
            conflict_fields,
            updates,
            False,
        )
    # The rows travel as one JSON document that PostgreSQL unpacks with json_to_recordset: one
    # parameter instead of a quoted literal per value, and JSON columns nest as they are. Values that
    # are the same for every row (timestamps, defaults, `constants`) are one typed parameter each.
    definitions = ", ".join(f"{quote(column)} {_sql_type(by_column[column])}" for column, _, _ in per_row)
    selected: list[str] = []
    params: list[Any] = []
    for column, how, arg in sources:
        if how == "value":
            field = by_column[column]
            selected.append(f"CAST(%s AS {_sql_type(field)})")
            params.append(json.dumps(arg) if isinstance(field, models.JSONField) else arg)
        else:
            selected.append(f"r.{quote(column)}")
    document = json.dumps(
        [{column: row[arg] if how == "row" else arg() for column, how, arg in per_row} for row in rows],
        default=_json_default,
    )
    params.append(document)
    table = quote(meta.db_table)
    source = f"json_to_recordset(%s::json) AS r({definitions})"
    sql = f"INSERT INTO {table} ({columns}) SELECT {', '.join(selected)} FROM {source}"
    if conflict_fields:
        by_name = {f.name: f for f in fields} | {f.attname: f for f in fields}
        target = ", ".join(quote(by_name[name].column) for name in conflict_fields)
        assignments = ", ".join(
            f"{(col := quote(by_name[name].column))} = EXCLUDED.{col}" for name in updates
        )
        sql += f" ON CONFLICT ({target}) DO UPDATE SET {assignments}"
    sql += f" RETURNING {quote(meta.pk.column)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [pk for (pk,) in cursor.fetchall()]


def _sql_type(field: models.Field) -> str:
    return "jsonb" if isinstance(field, models.JSONField) else field.db_type(connection)


def _json_default(value: Any) -> str:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()  # full precision, unlike DjangoJSONEncoder's milliseconds
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _bulk_create(
    model: type[models.Model],
    rows: Sequence[Mapping[str, Any]],
    fields: list[models.Field],
    now: Any,
    conflict_fields: Sequence[str],
    updates: list[str],
    ignore_conflicts: bool,
) -> list[int | None]:
    objs = [model(**{f.attname: _column_value(f, row, now) for f in fields}) for row in rows]
    model.objects.bulk_create(
        objs,
        ignore_conflicts=ignore_conflicts,
        update_conflicts=bool(conflict_fields) and not ignore_conflicts,
        unique_fields=list(conflict_fields) or None,
        update_fields=updates or None,
    )
    return [obj.pk for obj in objs]


def rows_update(
    *, model: type[models.Model], rows: Sequence[Mapping[str, Any]], fields: Sequence[str]
) -> int:
    """Set `fields` (and `updated_at`, when the model has it) on the rows named by their "id"; one statement.

    A set-based UPDATE, not `bulk_update`'s CASE per row and field (which degrades badly past a few
    thousand rows, Django ticket #31202).
    """
    if not rows:
        return 0
    meta = model._meta
    now = timezone.now()
    targets = [meta.get_field(name) for name in fields]
    if any(f.attname == "updated_at" for f in meta.concrete_fields) and "updated_at" not in fields:
        targets.append(meta.get_field("updated_at"))
    values = [{f.attname: row.get(f.attname, now) for f in targets} | {"id": row["id"]} for row in rows]
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            definitions = ", ".join(
                f"{quote(f.column)} {'jsonb' if isinstance(f, models.JSONField) else f.db_type(connection)}"
                for f in targets
            )
            assignments = ", ".join(f"{quote(f.column)} = r.{quote(f.column)}" for f in targets)
            document = json.dumps(
                [{f.column: v[f.attname] for f in targets} | {"id": v["id"]} for v in values],
                default=_json_default,
            )
            cursor.execute(
                f"UPDATE {table} SET {assignments} "
                f"FROM json_to_recordset(%s::json) AS r(id bigint, {definitions}) WHERE {table}.id = r.id",
                [document],
            )
        else:
            # SQLite and friends run in-process: one prepared statement executed per row is cheap there.
            assignments = ", ".join(f"{quote(f.column)} = %s" for f in targets)
            cursor.executemany(
                f"UPDATE {table} SET {assignments} WHERE id = %s",
                [[f.get_db_prep_save(v[f.attname], connection) for f in targets] + [v["id"]] for v in values],
            )
        return cursor.rowcount


def rows_update_guarded(
    *,
    model: type[models.Model],
    rows: Sequence[Mapping[str, Any]],
    fields: Sequence[str],
    guarded_fields: Sequence[str],
    guard: str,
) -> dict[int, Any]:
    """Like `rows_update`, but `guarded_fields` change only where `guard` still holds the value read.

    Each row carries `f"{guard}__read"`: the value the caller saw. Where another transaction has changed
    `guard` since, the guarded fields keep what that transaction wrote and the other fields are still
    set. Returns each row's `guard` value after the update, so the caller can tell which of its guarded
    changes took effect. One statement; elsewhere than on PostgreSQL the guard is not needed (SQLite
    takes its write lock before the caller reads, so nothing can change in between).
    """
    if not rows:
        return {}
    meta = model._meta
    now = timezone.now()
    names = [*fields, *guarded_fields]
    targets = [meta.get_field(name) for name in names]
    if any(f.attname == "updated_at" for f in meta.concrete_fields) and "updated_at" not in names:
        targets.append(meta.get_field("updated_at"))
    guarded = {meta.get_field(name).column for name in guarded_fields}
    guard_field = meta.get_field(guard)
    read_key = f"{guard}__read"
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    after: dict[int, Any] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            definitions = ", ".join(
                f"{quote(f.column)} {'jsonb' if isinstance(f, models.JSONField) else f.db_type(connection)}"
                for f in targets
            )
            held = f"{table}.{quote(guard_field.column)} = r.guard_read"
            assignments = ", ".join(
                f"{(col := quote(f.column))} = CASE WHEN {held} THEN r.{col} ELSE {table}.{col} END"
                if f.column in guarded
                else f"{quote(f.column)} = r.{quote(f.column)}"
                for f in targets
            )
            document = json.dumps(
                [
                    {f.column: row.get(f.attname, now) for f in targets}
                    | {"id": row["id"], "guard_read": row[read_key]}
                    for row in rows
                ],
                default=_json_default,
            )
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM json_to_recordset(%s::json) AS "
                f"r(id bigint, guard_read {guard_field.db_type(connection)}, {definitions}) "
                f"WHERE {table}.id = r.id RETURNING {table}.id, {table}.{quote(guard_field.column)}",
                [document],
            )
            after = dict(cursor.fetchall())
        else:
            assignments = ", ".join(f"{quote(f.column)} = %s" for f in targets)
            cursor.executemany(
                f"UPDATE {table} SET {assignments} WHERE id = %s",
                [
                    [f.get_db_prep_save(row.get(f.attname, now), connection) for f in targets] + [row["id"]]
                    for row in rows
                ],
            )
            after = {row["id"]: row[guard] for row in rows}
    return after


def values_in(field: str, values: Collection[Any], *, sql_type: str) -> Q:
    """`field IN values` as one array parameter on PostgreSQL (`sql_type`: "bigint", "text").

    Django spells `__in` with a placeholder per value, which the driver and the database then parse one
    by one; a batch looks up thousands of ids at a time. Elsewhere it is the plain `__in`.
    """
    if connection.vendor != "postgresql":
        return Q(**{f"{field}__in": values})
    return Q(**{f"{field}__in": RawSQL(f"SELECT unnest(%s::{sql_type}[])", (list(values),))})
