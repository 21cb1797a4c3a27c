"""One INSERT for many rows, optionally upserting, returning the ids in input order.

On PostgreSQL the rows go in as one `INSERT … SELECT FROM unnest(<one array per column>)`: the statement
Django's own `bulk_create` sends there, without preparing each value through the model field machinery
and without building a model instance per row, which costs tens of microseconds per row and dominates
large syncs. Elsewhere this falls back to `bulk_create` with the same meaning.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone


def _column_value(field: models.Field, row: Mapping[str, Any], now: Any) -> Any:
    if field.attname in row:
        return row[field.attname]
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    return field.get_default()


def rows_insert(
    *,
    model: type[models.Model],
    rows: Sequence[Mapping[str, Any]],
    conflict_fields: Sequence[str] = (),
    update_fields: Sequence[str] = (),
    ignore_conflicts: bool = False,
) -> list[int | None]:
    """Insert `rows` (dicts keyed by attname; missing columns take their defaults) and return their ids.

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
        return _bulk_create(model, rows, fields, now, conflict_fields, updates, ignore_conflicts)

    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    arrays, casts = [], []
    for field in fields:
        values = [_column_value(field, row, now) for row in rows]
        if isinstance(field, models.JSONField):
            values = [None if v is None else json.dumps(v) for v in values]
            casts.append("%s::jsonb[]")
        else:
            casts.append(f"%s::{field.db_type(connection)}[]")
        arrays.append(values)
    table = connection.ops.quote_name(meta.db_table)
    sql = f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({', '.join(casts)})"
    if conflict_fields:
        by_name = {f.name: f for f in fields} | {f.attname: f for f in fields}
        target = ", ".join(connection.ops.quote_name(by_name[name].column) for name in conflict_fields)
        assignments = ", ".join(
            f"{(col := connection.ops.quote_name(by_name[name].column))} = EXCLUDED.{col}" for name in updates
        )
        sql += f" ON CONFLICT ({target}) DO UPDATE SET {assignments}"
    sql += f" RETURNING {connection.ops.quote_name(meta.pk.column)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, arrays)
        return [pk for (pk,) in cursor.fetchall()]


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
