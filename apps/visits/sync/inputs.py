"""The desired state handed to the engine: plain, typed values, independent of HTTP, forms or the admin.

A field left as `UNSET` was absent from the input and is kept as it is; `None` clears an optional field
(and is refused for a required one). Values have their JSON types already checked by the caller (the
API's parser, a form); what they *mean* (an existing location, a valid email…) is the engine's to judge.

The engine never changes an input. They are not frozen dataclasses all the same: a 1,000-event request
builds some 11,000 of them, and a frozen dataclass takes five times as long to build (measured).
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any, Final


class _Unset(enum.Enum):
    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Final = _Unset.UNSET


@dataclass(slots=True)
class PersonInput:
    """A host or creator; identified by email."""

    email: str | _Unset | None = UNSET
    first_name: str | _Unset | None = UNSET
    last_name: str | _Unset | None = UNSET
    phone_number: str | _Unset | None = UNSET


@dataclass(frozen=True, slots=True)
class AccessProfileInput:
    partition_id: int
    source_id: str


@dataclass(slots=True)
class InvitationInput:
    source_id: str | _Unset | None = UNSET
    email: str | _Unset | None = UNSET
    first_name: str | _Unset | None = UNSET
    last_name: str | _Unset | None = UNSET
    company_name: str | _Unset | None = UNSET
    language: str | _Unset | None = UNSET
    custom_fields: dict[str, Any] | _Unset | None = UNSET
    access_profiles: list[AccessProfileInput] | _Unset | None = UNSET
    deleted_at: dt.datetime | _Unset | None = UNSET


@dataclass(slots=True)
class EventInput:
    source_id: str | _Unset | None = UNSET
    name: str | _Unset | None = UNSET
    description: str | _Unset | None = UNSET
    starts_at: dt.datetime | _Unset | None = UNSET
    ends_at: dt.datetime | _Unset | None = UNSET
    location_id: int | _Unset | None = UNSET
    entrance_id: int | _Unset | None = UNSET
    host: PersonInput | _Unset | None = UNSET
    creator: PersonInput | _Unset | None = UNSET
    invitations: list[InvitationInput] | _Unset | None = UNSET
    custom_fields: dict[str, Any] | _Unset | None = UNSET
    updated_at: dt.datetime | _Unset | None = UNSET
    deleted_at: dt.datetime | _Unset | None = UNSET
