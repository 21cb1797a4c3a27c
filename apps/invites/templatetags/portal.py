"""Times as the portal shows them: in the location's time zone, with the zone's abbreviation."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django import template
from django.forms import BoundField
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.visits.models import Event

register = template.Library()


def _local(value: dt.datetime, zone: str) -> dt.datetime:
    return value.astimezone(zoneinfo.ZoneInfo(zone))


@register.simple_tag
def visit_day(event: Event) -> str:
    start = _local(event.starts_at, event.location.timezone)
    return f"{date_format(start, 'D')}, {date_format(start, 'DATE_FORMAT')}"


@register.simple_tag
def visit_hours(event: Event) -> str:
    """'09:00-11:00 CET' (with a typographic dash), or with both dates when the visit spans days."""
    zone = event.location.timezone
    start, end = _local(event.starts_at, zone), _local(event.ends_at, zone)
    if start.date() == end.date():
        span = f"{start:%H:%M}–{end:%H:%M}"  # noqa: RUF001 - a typographic range dash
    else:
        span = f"{start:%H:%M} – {date_format(end, 'SHORT_DATE_FORMAT')} {end:%H:%M}"  # noqa: RUF001
    return (
        f"{span} {start.tzname()}"
        if start.tzname() == end.tzname()
        else f"{span} {start.tzname()}/{end.tzname()}"
    )


@register.simple_tag
def local_time(value: dt.datetime | None, zone: str) -> str:
    """A moment (a check-in) in the location's zone: '09:14 CET', with the date if not today's there."""
    if value is None:
        return ""
    local = _local(value, zone)
    today = dt.datetime.now(tz=local.tzinfo).date()
    time = f"{local:%H:%M} {local.tzname()}"
    return time if local.date() == today else f"{date_format(local, 'SHORT_DATE_FORMAT')} {time}"


@register.filter
def minutes(value: dt.timedelta | None) -> int:
    return max(1, round(value.total_seconds() / 60)) if value else 0


@register.simple_tag
def zone_label(zone: str) -> str:
    now = dt.datetime.now(tz=zoneinfo.ZoneInfo(zone))
    return _("%(abbreviation)s, %(zone)s") % {"abbreviation": now.tzname(), "zone": zone}


@register.simple_tag
def field_widget(field: BoundField) -> str:
    """The input, described by its help text and by each of its errors (as _field.html shows them)."""
    ids = [f"{field.auto_id}_helptext"] if field.help_text else []
    ids += [f"{field.auto_id}_error_{n}" for n in range(1, len(field.errors) + 1)]
    return field.as_widget(attrs={"aria-describedby": " ".join(ids)} if ids else None)
