"""Events rendered by PostgreSQL as JSON text, one statement for a page (issue #14).

`events_json` answers the JSON text of each event of a page, which is what `reads_rows.event_render` and
EventSerializer give (tests/integrations/test_read_shape.py), at about the cost of PostgreSQL building the
page with `json_agg` by itself; Python only joins the texts.

The statement is prepared once per database connection (`json_sql.texts_prepared`).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection

from apps.core import json_sql
from apps.directory.models import AccessProfile, Employee
from apps.privacy.selectors import guest_data_erased_sql
from apps.visits.models import Contact, Event, Invitation


def table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _person(alias: str) -> list[tuple[str, str]]:
    return [
        ("email", json_sql.json_string(f"{alias}.email")),
        ("firstName", json_sql.json_string(f"{alias}.first_name")),
        ("lastName", json_sql.json_string(f"{alias}.last_name")),
        ("phoneNumber", json_sql.json_string(f"{alias}.phone_number")),
    ]


def access_profiles_aggregate() -> str:
    """An aggregate over access profiles `p`: their JSON array (`{partitionId, sourceId}`), ordered like
    AccessProfile."""
    profile = json_sql.json_object(
        [
            ("partitionId", json_sql.json_number("p.partition_id")),
            ("sourceId", json_sql.json_string("p.source_id")),
        ]
    )
    return f"'[' || string_agg({profile}, ',' ORDER BY p.partition_id, p.source_id) || ']'"


def access_profiles_sql(invitation: str) -> str:
    """The JSON array of an invitation's access profiles."""
    return (
        f"coalesce((SELECT {access_profiles_aggregate()} FROM {table(Invitation.access_profiles.through)} l "
        f"JOIN {table(AccessProfile)} p ON p.id = l.accessprofile_id "
        f"WHERE l.invitation_id = {invitation}.id), '[]')"
    )


@functools.cache
def _event_sql(zone: str) -> str:
    """The JSON text of an event (the row `e`, its host `h` and creator `c`), times in `zone`."""
    zone_sql = json_sql.sql_literal(zone)

    def time(column: str) -> str:
        return json_sql.json_time(column, zone=zone_sql)

    erased = guest_data_erased_sql(event="e", contact="ct")

    def guest(string: Callable[[str], str]) -> str:
        def unless_erased(column: str) -> str:
            return f"CASE WHEN {erased} THEN 'null' ELSE {string(column)} END"

        return json_sql.json_object(
            [
                ("sourceId", string("ct.source_id")),
                ("email", unless_erased("ct.email")),
                ("firstName", unless_erased("ct.first_name")),
                ("lastName", unless_erased("ct.last_name")),
                ("companyName", unless_erased("ct.company_name")),
                ("language", string("i.language")),
                ("customFields", json_sql.json_value("i.custom_fields")),
                ("accessProfiles", "coalesce(pa.json, '[]')"),
                ("deletedAt", time("i.cancelled_at")),
                ("status", string("i.status")),
                ("checkedInAt", time("i.checked_in_at")),
                ("checkedOutAt", time("i.checked_out_at")),
                ("effectiveCustomFields", json_sql.json_merged("e.custom_fields", "i.custom_fields")),
            ]
        )

    texts = [
        "ct.source_id",
        "ct.email",
        "ct.first_name",
        "ct.last_name",
        "ct.company_name",
        "i.language",
        "i.status",
    ]
    # The access profiles of all the event's guests at once, joined to each guest (a subquery per guest
    # cost more than building the rest of the guest).
    profiles = (
        f"SELECT l.invitation_id, {access_profiles_aggregate()} AS json "
        f"FROM {table(Invitation.access_profiles.through)} l "
        f"JOIN {table(Invitation)} pi ON pi.id = l.invitation_id "
        f"JOIN {table(AccessProfile)} p ON p.id = l.accessprofile_id "
        "WHERE pi.event_id = e.id GROUP BY l.invitation_id"
    )
    event = json_sql.json_object(
        [
            ("id", json_sql.json_number("e.id")),
            ("sourceId", json_sql.json_string("e.source_id")),
            ("name", json_sql.json_string("e.name")),
            ("description", json_sql.json_string("e.description")),
            ("startsAt", time("e.starts_at")),
            ("endsAt", time("e.ends_at")),
            ("locationId", json_sql.json_number("e.location_id")),
            ("entranceId", json_sql.json_number("e.entrance_id")),
            ("host", json_sql.json_object(_person("h"))),
            ("creator", json_sql.json_object_or_null("c.id IS NOT NULL", _person("c"))),
            (
                "invitations",
                json_sql.json_array(
                    json_sql.json_strings_escaped_if_needed(texts, guest),
                    rest=f"FROM {table(Invitation)} i JOIN {table(Contact)} ct ON ct.id = i.contact_id "
                    f"LEFT JOIN ({profiles}) pa ON pa.invitation_id = i.id WHERE i.event_id = e.id",
                    order_by="i.id",
                ),
            ),
            ("customFields", json_sql.json_value("e.custom_fields")),
            ("deletedAt", time("e.cancelled_at")),
            ("status", json_sql.json_string("e.status")),
            ("createdAt", time("e.created_at")),
            ("updatedAt", time("e.updated_at")),
            ("sourceUpdatedAt", time("e.source_updated_at")),
            ("anonymisedAt", time("e.anonymised_at")),
        ]
    )
    return event


@functools.cache
def _statement(zone: str) -> str:
    """For an array of event ids ($1), each event's JSON text in the array's order."""
    return (
        f"SELECT {_event_sql(zone)} FROM unnest($1::bigint[]) WITH ORDINALITY AS page(id, n) "
        f"JOIN {table(Event)} e ON e.id = page.id "
        f"JOIN {table(Employee)} h ON h.id = e.host_id "
        f"LEFT JOIN {table(Employee)} c ON c.id = e.creator_id "
        "ORDER BY page.n"
    )


def events_json(*, event_ids: Sequence[int], zone: dt.tzinfo) -> list[str]:
    """These events' JSON texts, in the order of `event_ids`, times in `zone`: one query."""
    if not event_ids:
        return []
    statement = _statement(json_sql.zone_name(zone))
    return json_sql.texts_prepared(text=statement, types=["bigint[]"], params=[list(event_ids)])
