"""Checks of single values the engine receives; each returns a message or None."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from apps.directory.models import CustomField

MAX_SOURCE_ID = 255
MAX_EVENT_NAME = 255
MAX_DESCRIPTION = 10_000
MAX_EMAIL = 254
MAX_PERSON_NAME = 150
MAX_COMPANY = 200
MAX_PHONE = 50
MAX_CUSTOM_TEXT = 1_000
MAX_SAFE_INTEGER = 2**53

PHONE_RE = re.compile(r"^\+?[0-9 ()./-]{3,50}$")


def email_problem(value: str) -> str | None:
    if len(value) > MAX_EMAIL:
        return f"Ensure this email has at most {MAX_EMAIL} characters."
    try:
        validate_email(value)
    except ValidationError:
        return f"{value!r} is not a valid email address."
    return None


def length_problem(value: str, limit: int) -> str | None:
    if len(value) > limit:
        return f"Ensure this value has at most {limit} characters (it has {len(value)})."
    return None


def phone_problem(value: str) -> str | None:
    if not PHONE_RE.match(value) or sum(ch.isdigit() for ch in value) < 3:
        return f"{value!r} is not a phone number (digits, spaces and + ( ) . / - only)."
    return None


def aware_problem(value: dt.datetime) -> str | None:
    if value.tzinfo is None or value.utcoffset() is None:
        return "Date-times need a UTC offset or Z."
    return None


def custom_field_value_problem(field: CustomField, value: Any) -> str | None:
    """Whether `value` fits the field's type (None is handled by the caller: it clears)."""
    kind = CustomField.FieldType
    match field.field_type:
        case kind.TEXT:
            if not isinstance(value, str):
                return "Expected text."
            return length_problem(value, MAX_CUSTOM_TEXT)
        case kind.NUMBER:
            if isinstance(value, bool) or not isinstance(value, int | float):
                return "Expected a number."
            # JSON allows any size of integer; beyond 2^53 no JSON client reads it back exactly (and
            # math.isfinite overflows on very large ones).
            if isinstance(value, int) and abs(value) > MAX_SAFE_INTEGER:
                return "Expected a number between -(2^53) and 2^53."
            if isinstance(value, float) and not math.isfinite(value):
                return "Expected a number."
        case kind.BOOLEAN:
            if not isinstance(value, bool):
                return "Expected true or false."
        case kind.DATE:
            if not isinstance(value, str) or len(value) != 10:
                return "Expected a date as YYYY-MM-DD."
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                return "Expected a date as YYYY-MM-DD."
        case kind.SELECT:
            if not isinstance(value, str) or value not in field.options:
                return f"Expected one of: {', '.join(field.options)}."
        case kind.EMAIL:
            if not isinstance(value, str):
                return "Expected an email address."
            return email_problem(value)
        case kind.PHONE:
            if not isinstance(value, str):
                return "Expected a phone number."
            return phone_problem(value)
    return None
