"""Limits and checks of single values the engine receives; each check returns a message or None."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.utils.translation import gettext_lazy as _

from apps.core.values import Message, email_problem, length_problem, phone_problem

__all__ = ["aware_problem", "email_problem", "length_problem", "local_time_problem", "phone_problem"]

MAX_SOURCE_ID = 255
MAX_EVENT_NAME = 255
MAX_DESCRIPTION = 10_000
MAX_PERSON_NAME = 150
MAX_COMPANY = 200
MAX_PHONE = 50


def aware_problem(value: dt.datetime) -> Message | None:
    if value.tzinfo is None or value.utcoffset() is None:
        return _("Date-times need a UTC offset or Z.")
    return None


def local_time_problem(value: dt.datetime, time_zone: str) -> Message | None:
    """Whether the instant can be shown in the location's time zone (emails, calendars, pages do)."""
    try:
        value.astimezone(zoneinfo.ZoneInfo(time_zone))
    except OverflowError:
        return _(
            "This time cannot be shown in the location's time zone; choose a date between years 1 and 9999."
        )
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None  # a location's zone is checked when it is saved
    return None
