"""Check-ins rendered by PostgreSQL as JSON text, one prepared statement for a page (issue #14).

The same text CheckInSerializer gives (tests/integrations/test_checkins_read_shape.py): times in the
location's time zone, and an event's or guest's `sourceId` only for the integration that owns the event
(`checkins_serializers._own_source_id`).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence

from apps.core import json_sql
from apps.directory.models import Employee, Location
from apps.integrations.api.reads_sql import access_profiles_sql, table
from apps.integrations.models import Integration
from apps.visits.models import CheckIn, Contact, Event, Invitation


@functools.cache
def _statement() -> str:
    """For an array of check-in ids ($1), read by an integration ($2), each check-in's JSON text."""

    def time(column: str) -> str:
        return json_sql.json_time(column, zone="loc.timezone")

    def own(column: str) -> str:
        return f"CASE WHEN e.integration_id = $2 THEN {json_sql.json_string(column)} ELSE 'null' END"

    state = (
        f"CASE WHEN ci.left_at IS NULL THEN '{json.dumps(CheckIn.State.ON_SITE.value)}' "
        f"ELSE '{json.dumps(CheckIn.State.LEFT.value)}' END"
    )
    check_in = json_sql.json_object(
        [
            ("id", json_sql.json_number("ci.id")),
            ("state", state),
            ("arrivedAt", time("ci.arrived_at")),
            ("leftAt", time("ci.left_at")),
            ("locationId", json_sql.json_number("ci.location_id")),
            ("entranceId", json_sql.json_number("ci.entrance_id")),
            (
                "guest",
                json_sql.json_object(
                    [
                        ("email", json_sql.json_string("ct.email")),
                        ("firstName", json_sql.json_string("ct.first_name")),
                        ("lastName", json_sql.json_string("ct.last_name")),
                        ("companyName", json_sql.json_string("ct.company_name")),
                        ("language", json_sql.json_string("i.language")),
                    ]
                ),
            ),
            (
                "invitation",
                json_sql.json_object(
                    [("id", json_sql.json_number("i.id")), ("sourceId", own("ct.source_id"))]
                ),
            ),
            (
                "event",
                json_sql.json_object(
                    [
                        ("id", json_sql.json_number("e.id")),
                        ("sourceId", own("e.source_id")),
                        ("name", json_sql.json_string("e.name")),
                        ("startsAt", time("e.starts_at")),
                        ("endsAt", time("e.ends_at")),
                        (
                            "host",
                            json_sql.json_object(
                                [
                                    ("email", json_sql.json_string("h.email")),
                                    ("firstName", json_sql.json_string("h.first_name")),
                                    ("lastName", json_sql.json_string("h.last_name")),
                                ]
                            ),
                        ),
                    ]
                ),
            ),
            ("customFields", json_sql.json_merged("e.custom_fields", "i.custom_fields")),
            ("accessProfiles", access_profiles_sql("i")),
            ("createdAt", time("ci.created_at")),
            ("updatedAt", time("ci.updated_at")),
        ]
    )
    return (
        f"SELECT {check_in} FROM unnest($1::bigint[]) WITH ORDINALITY AS page(id, n) "
        f"JOIN {table(CheckIn)} ci ON ci.id = page.id "
        f"JOIN {table(Location)} loc ON loc.id = ci.location_id "
        f"JOIN {table(Invitation)} i ON i.id = ci.invitation_id "
        f"JOIN {table(Contact)} ct ON ct.id = i.contact_id "
        f"JOIN {table(Event)} e ON e.id = i.event_id "
        f"JOIN {table(Employee)} h ON h.id = e.host_id "
        "ORDER BY page.n"
    )


def check_ins_json(*, check_in_ids: Sequence[int], integration: Integration) -> list[str]:
    """These check-ins' JSON texts as `integration` reads them, in the order of `check_in_ids`."""
    if not check_in_ids:
        return []
    return json_sql.texts_prepared(
        text=_statement(), types=["bigint[]", "bigint"], params=[list(check_in_ids), integration.pk]
    )
