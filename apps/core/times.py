"""Times as people at a location read them: in the location's zone, with the zone's abbreviation."""

import datetime as dt
import zoneinfo


def time_in_zone(value: dt.datetime | None, timezone_name: str) -> str:
    """ "2026-12-02 10:00 CET" for an instant at a location in Europe/Berlin; "—" for none."""
    if value is None:
        return "—"
    local = value.astimezone(zoneinfo.ZoneInfo(timezone_name))
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"
