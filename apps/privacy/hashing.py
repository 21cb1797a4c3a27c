"""Guest addresses as keyed hashes: the record of a request names no one, yet can be found by address."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.crypto import salted_hmac

# The HMAC key is derived from SECRET_KEY with this salt (Django's salted_hmac), so it is no other
# use's key.
_KEY_SALT = "apps.privacy.address"


class NotAnEmail(ValueError):
    """The text given as a guest's address is not an email address."""


def address_normalize(*, text: str) -> str:
    """The address as the portal matches it (case-insensitively); NotAnEmail when it is none."""
    address = text.strip()
    try:
        validate_email(address)
    except ValidationError as exc:
        raise NotAnEmail(text) from exc
    return address.lower()


def address_hash(*, address: str) -> str:
    return salted_hmac(_KEY_SALT, address.strip().lower(), algorithm="sha256").hexdigest()
