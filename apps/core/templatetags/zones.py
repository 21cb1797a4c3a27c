from django import template

from apps.core.times import time_in_zone

register = template.Library()


@register.filter
def in_zone(value, timezone_name: str) -> str:
    """`{{ event.starts_at|in_zone:event.location.timezone }}` → "2026-12-02 10:00 CET"."""
    return time_in_zone(value, timezone_name)
