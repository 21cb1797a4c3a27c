"""Small text rules shared by the engine, the admin and the API."""

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def email_normalize(value: str) -> str:
    """Emails are compared and stored lower-cased and without surrounding space."""
    return value.strip().lower()


def has_control_characters(value: str) -> bool:
    """Line breaks, tabs and other control characters, which single-line values (names, email headers)
    must not carry."""
    return _CONTROL.search(value) is not None
