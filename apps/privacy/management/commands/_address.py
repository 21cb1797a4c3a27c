"""The email argument both privacy commands take: refused with exit code 2 when it is not an address."""

from __future__ import annotations

from django.core.management.base import CommandError

from apps.privacy.hashing import NotAnEmail, address_normalize


def address_or_refuse(text: str) -> str:
    try:
        return address_normalize(text=text)
    except NotAnEmail:
        raise CommandError(f"Not an email address: {text!r}", returncode=2) from None
