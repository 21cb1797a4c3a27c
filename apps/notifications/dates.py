"""Dates, times and time zones in emails, written as the active language writes them.

Every language but English goes through CLDR (babel): Django's own formats capitalise weekdays and
months where Italian, Polish, Romanian, Russian and Croatian write them in lower case ("Martedì, 03
Dicembre 2030"), and know no time-zone names. English keeps Django's formats and the zone's identifier,
which the portal's English emails have always used ("Tuesday, Dec. 3, 2030, 9 a.m.", "Europe/Berlin").
Call these inside `translation.override`.
"""

import datetime as dt

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time, get_timezone_name
from django.utils import translation
from django.utils.formats import date_format


def _cldr_locale() -> Locale | None:
    """The CLDR locale of the active language, or None where Django's English formats apply."""
    code = translation.get_language() or "en"
    if code.split("-")[0] == "en":
        return None
    try:
        return Locale.parse(translation.to_locale(code))  # zh-hans -> zh_Hans
    except (UnknownLocaleError, ValueError):
        return None  # a language CLDR does not know is written like English, not refused


def date_long_format(value: dt.datetime) -> str:
    """The date alone, as in a subject line: "3. Dezember 2030", "2030年12月3日"."""
    locale = _cldr_locale()
    if locale is None:
        return date_format(value, "DATE_FORMAT")
    return format_date(value, "long", locale=locale)


def day_long_format(value: dt.datetime) -> str:
    """Weekday and date in the language's order: "mardi 3 décembre 2030", "2030. december 3., kedd"."""
    locale = _cldr_locale()
    if locale is None:
        return f"{date_format(value, 'l')}, {date_format(value, 'DATE_FORMAT')}"
    return format_date(value, "full", locale=locale)


def time_short_format(value: dt.datetime) -> str:
    """A time of day, in the time zone `value` carries: "9 a.m.", "09:00", "9:00"."""
    locale = _cldr_locale()
    if locale is None:
        return date_format(value, "TIME_FORMAT")
    return format_time(value, "short", locale=locale)


def zone_name_format(value: dt.datetime) -> str:
    """The name of the time zone `value` is in at that moment: "Mitteleuropäische Normalzeit"."""
    locale = _cldr_locale()
    if locale is None:
        return str(value.tzinfo)  # the zone's identifier, e.g. Europe/Berlin
    return get_timezone_name(value, "long", locale=locale)


def time_with_zone_format(value: dt.datetime) -> str:
    """A time of day with the zone's abbreviation where the language has one: "09:57 MEZ", "9:57 a.m. CET"."""
    locale = _cldr_locale()
    if locale is None:
        return f"{date_format(value, 'TIME_FORMAT')} {value.tzname()}"
    abbreviation = get_timezone_name(value, "short", locale=locale)
    if not abbreviation.isalpha():  # CLDR has none for this language ("+0100"): the offset, spelled out
        minutes = int(value.utcoffset().total_seconds()) // 60
        hours, minutes = divmod(abs(minutes), 60)
        abbreviation = f"UTC{'+' if value.utcoffset() >= dt.timedelta(0) else '-'}{hours:02d}:{minutes:02d}"
    return f"{format_time(value, 'short', locale=locale)} {abbreviation}"
