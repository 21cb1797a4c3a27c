import datetime as dt

from apps.core.times import time_in_zone

NOON_UTC = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)


def test_a_time_reads_in_the_locations_zone_with_its_abbreviation():
    assert time_in_zone(NOON_UTC, "Europe/Berlin") == "2026-12-02 13:00 CET"
    assert time_in_zone(NOON_UTC.replace(month=7), "Europe/Prague") == "2026-07-02 14:00 CEST"


def test_no_time_reads_as_a_dash():
    assert time_in_zone(None, "Europe/Berlin") == "—"
