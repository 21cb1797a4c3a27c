"""The PUT /events body, parsed by hand into the engine's typed inputs.

Hand-written rather than nested DRF serializers: a request may carry a thousand events with their
guests, and serializer machinery per item costs seconds where this costs milliseconds. It checks only
what the JSON says (types, presence of the envelope, date-time syntax); what the values *mean* is the
engine's to judge, per event. It reports every offending value, not just the first.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from apps.integrations.api.errors import ProblemError, ProblemField
from apps.visits.sync.inputs import UNSET, AccessProfileInput, EventInput, InvitationInput, PersonInput

IGNORE_MISSING_INVITATIONS_PARAM = "ignoreMissingInvitations"
QUERY_FLAG_VALUES = {"true": True, "false": False, "1": True, "0": False}
# The database's id columns are signed 64-bit: a larger number can name nothing and would not fit a query.
MAX_ID = 2**63 - 1

_MSG_STRING = "Expected a string."
_MSG_INTEGER = "Expected an integer."
# A custom field value holds a scalar; nothing legitimate nests anywhere near this deep.
MAX_VALUE_DEPTH = 32
_MSG_OBJECT = "Expected an object."
_MSG_LIST = "Expected a list."
_MSG_REQUIRED = "This field is required."
_MSG_UUID = "Expected a UUID as 8-4-4-4-12 hex digits, e.g. 3c90c3cc-0d44-4b50-8888-8dd25736052a."
_MSG_DATETIME = "Expected an ISO 8601 date-time with a UTC offset or Z, e.g. 2026-12-01T09:00:00+01:00."
# uuid.UUID also takes the hex without dashes, braces and a `urn:uuid:` prefix; the contract names one
# spelling, and clients that send another would break the day they talk to a stricter system.
_CANONICAL_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


@dataclass(frozen=True, slots=True)
class SyncRequest:
    agent_token: uuid.UUID
    events: list[EventInput]
    ignore_missing_invitations: bool


def query_flag_parse(*, value: str | None, default: bool = False) -> bool | None:
    """`true`/`false`/`1`/`0` as a bool, the default when absent, None for anything else."""
    if value is None:
        return default
    return QUERY_FLAG_VALUES.get(value)


def datetime_parse(value: str) -> dt.datetime | None:
    """An ISO 8601 / RFC 3339 date-time that states its offset, in UTC; None if it is not one."""
    try:
        # RFC 3339 allows lower-case `t` and `z`; fromisoformat does not.
        parsed = dt.datetime.fromisoformat(value.upper())
    except ValueError:
        return None
    # A date alone parses as midnight without an offset, so this also refuses bare dates.
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        return None
    try:
        return parsed.astimezone(dt.UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+01:00, before the first representable instant
        return None


def _text_problem(value: str) -> str | None:
    # Databases refuse NUL characters and unpaired surrogates (both legal in JSON via \u escapes); caught
    # here they are a 400 for the client instead of a failed INSERT.
    if "\x00" in value:
        return "Must not contain NUL characters."
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "Must not contain unpaired surrogate characters."
    return None


class _Reader:
    """Walks the decoded JSON, builds the inputs and collects every problem on the way."""

    def __init__(self) -> None:
        self.errors: list[ProblemField] = []

    def error(self, field: str, message: str) -> None:
        self.errors.append(ProblemField(field=field, message=message))

    # --- scalars: absent → UNSET, null → None, wrong type → an error (and UNSET) ---------------

    def string(self, obj: dict[str, Any], key: str, path: str) -> Any:
        value = obj.get(key, UNSET)
        if type(value) is str:
            # The everyday value (plain ASCII without NUL) needs no closer look; a large request has
            # some 70,000 of them.
            if value.isascii() and "\x00" not in value:
                return value
            problem = _text_problem(value)
            if problem:
                self.error(f"{path}.{key}", problem)
            return value
        if value is UNSET or value is None:
            return value
        self.error(f"{path}.{key}", _MSG_STRING)
        return UNSET

    def integer(self, obj: dict[str, Any], key: str, path: str) -> Any:
        if key not in obj:
            return UNSET
        value = obj[key]
        if value is None:
            return None
        # `type(...) is int` because JSON true/false arrive as bool, a subclass of int.
        if type(value) is not int:
            self.error(f"{path}.{key}", _MSG_INTEGER)
            return UNSET
        if not -MAX_ID <= value <= MAX_ID:
            self.error(f"{path}.{key}", f"Expected an integer between {-MAX_ID} and {MAX_ID}.")
            return UNSET
        return value

    def datetime(self, obj: dict[str, Any], key: str, path: str) -> Any:
        if key not in obj:
            return UNSET
        value = obj[key]
        if value is None:
            return None
        parsed = datetime_parse(value) if type(value) is str else None
        if parsed is None:
            self.error(f"{path}.{key}", _MSG_DATETIME)
            return UNSET
        return parsed

    def custom_fields(self, obj: dict[str, Any], path: str) -> Any:
        if "customFields" not in obj:
            return UNSET
        value = obj["customFields"]
        if value is None:
            return None
        if type(value) is not dict:
            self.error(f"{path}.customFields", _MSG_OBJECT)
            return UNSET
        # Values may be of any JSON type here: whether one fits its field is the engine's judgement.
        for key, item in value.items():
            self._check_text(key, f"{path}.customFields")
            self._check_nested_text(item, f"{path}.customFields.{key}")
        return value

    def _check_text(self, value: str, path: str) -> None:
        problem = _text_problem(value)
        if problem:
            self.error(path, problem)

    def _check_nested_text(self, value: Any, path: str) -> None:
        # An explicit stack, not recursion: JSON nested as deep as the decoder allows would otherwise
        # exhaust Python's recursion limit here (a 500) instead of reaching the engine's verdict.
        # Nesting beyond MAX_VALUE_DEPTH is refused outright, so every Python version answers alike
        # (older decoders already give up on such bodies, which is a 400 too).
        stack: list[tuple[Any, str, int]] = [(value, path, 0)]
        while stack:
            value, path, depth = stack.pop()
            if depth > MAX_VALUE_DEPTH:
                self.error(path, f"Nested deeper than {MAX_VALUE_DEPTH} levels.")
                return
            if type(value) is str:
                self._check_text(value, path)
            elif type(value) is dict:
                # Pushed in reverse so errors come out in document order: each key (a string, reported
                # at the object's path) right before its value.
                for key in reversed(value):
                    stack.append((value[key], f"{path}.{key}", depth + 1))
                    stack.append((key, path, depth + 1))
            elif type(value) is list:
                stack.extend(
                    (value[index], f"{path}[{index}]", depth + 1) for index in reversed(range(len(value)))
                )

    # --- nested objects -----------------------------------------------------------------------

    def person(self, obj: dict[str, Any], key: str, path: str) -> Any:
        if key not in obj:
            return UNSET
        value = obj[key]
        if value is None:
            return None
        path = f"{path}.{key}"
        if type(value) is not dict:
            self.error(path, _MSG_OBJECT)
            return UNSET
        return PersonInput(
            email=self.string(value, "email", path),
            first_name=self.string(value, "firstName", path),
            last_name=self.string(value, "lastName", path),
            phone_number=self.string(value, "phoneNumber", path),
        )

    def access_profiles(self, obj: dict[str, Any], path: str) -> Any:
        if "accessProfiles" not in obj:
            return UNSET
        value = obj["accessProfiles"]
        if value is None:
            return None
        path = f"{path}.accessProfiles"
        if type(value) is not list:
            self.error(path, _MSG_LIST)
            return UNSET
        profiles = []
        for index, raw in enumerate(value):
            item_path = f"{path}[{index}]"
            if type(raw) is not dict:
                self.error(item_path, _MSG_OBJECT)
                continue
            # A profile is only meaningful with both keys, so both are required here.
            partition_id = self.integer(raw, "partitionId", item_path)
            source_id = self.string(raw, "sourceId", item_path)
            for key in ("partitionId", "sourceId"):
                if raw.get(key) is None:
                    self.error(f"{item_path}.{key}", _MSG_REQUIRED)
            if type(partition_id) is int and type(source_id) is str:
                profiles.append(AccessProfileInput(partition_id=partition_id, source_id=source_id))
        return profiles

    def invitation(self, raw: Any, path: str) -> InvitationInput | None:
        if type(raw) is not dict:
            self.error(path, _MSG_OBJECT)
            return None
        return InvitationInput(
            source_id=self.string(raw, "sourceId", path),
            email=self.string(raw, "email", path),
            first_name=self.string(raw, "firstName", path),
            last_name=self.string(raw, "lastName", path),
            company_name=self.string(raw, "companyName", path),
            language=self.string(raw, "language", path),
            custom_fields=self.custom_fields(raw, path),
            access_profiles=self.access_profiles(raw, path),
            deleted_at=self.datetime(raw, "deletedAt", path),
        )

    def invitations(self, obj: dict[str, Any], path: str) -> Any:
        if "invitations" not in obj:
            return UNSET
        value = obj["invitations"]
        if value is None:
            return None
        path = f"{path}.invitations"
        if type(value) is not list:
            self.error(path, _MSG_LIST)
            return UNSET
        parsed = (self.invitation(raw, f"{path}[{index}]") for index, raw in enumerate(value))
        return [invitation for invitation in parsed if invitation is not None]

    def event(self, raw: Any, path: str) -> EventInput | None:
        if type(raw) is not dict:
            self.error(path, _MSG_OBJECT)
            return None
        return EventInput(
            source_id=self.string(raw, "sourceId", path),
            name=self.string(raw, "name", path),
            description=self.string(raw, "description", path),
            starts_at=self.datetime(raw, "startsAt", path),
            ends_at=self.datetime(raw, "endsAt", path),
            location_id=self.integer(raw, "locationId", path),
            entrance_id=self.integer(raw, "entranceId", path),
            host=self.person(raw, "host", path),
            creator=self.person(raw, "creator", path),
            invitations=self.invitations(raw, path),
            custom_fields=self.custom_fields(raw, path),
            updated_at=self.datetime(raw, "updatedAt", path),
            deleted_at=self.datetime(raw, "deletedAt", path),
        )


def _refuse_constant(name: str) -> float:
    # Python's json accepts NaN and Infinity, which are not JSON.
    raise ValueError(f"{name} is not valid JSON")


def _bad_request(errors: list[ProblemField]) -> ProblemError:
    return ProblemError(
        status=400, detail="The request is malformed; nothing was processed. See `errors`.", errors=errors
    )


def sync_request_parse(*, body: bytes, query: Mapping[str, str], max_events: int) -> SyncRequest:
    """The sync request as typed inputs; raises ProblemError (400, or 413 for too many events)."""
    reader = _Reader()
    ignore_missing = query_flag_parse(value=query.get(IGNORE_MISSING_INVITATIONS_PARAM))
    if ignore_missing is None:
        reader.error(IGNORE_MISSING_INVITATIONS_PARAM, "Expected true, false, 1 or 0.")

    try:
        data = json.loads(body, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        reader.error("", f"The body is not valid JSON: {exc}.")
        raise _bad_request(reader.errors) from None
    except (ValueError, RecursionError):  # bad UTF-8, NaN, or nesting deeper than anyone needs
        reader.error("", "The body is not valid JSON.")
        raise _bad_request(reader.errors) from None
    if type(data) is not dict:
        reader.error("", "The body must be a JSON object with `agentToken` and `events`.")
        raise _bad_request(reader.errors)

    events = data.get("events")
    if type(events) is list and len(events) > max_events:
        raise ProblemError(
            status=413,
            detail=f"A request may carry at most {max_events} events; this one has {len(events)}.",
            errors=[ProblemField(field="events", message=f"Send at most {max_events} events per request.")],
        )

    agent_token: uuid.UUID | None = None
    raw_token = data.get("agentToken")
    if "agentToken" not in data or raw_token is None:
        reader.error("agentToken", _MSG_REQUIRED)
    elif type(raw_token) is str and _CANONICAL_UUID.fullmatch(raw_token):
        agent_token = uuid.UUID(raw_token)
    else:
        reader.error("agentToken", _MSG_UUID)

    parsed_events: list[EventInput] = []
    if "events" not in data or events is None:
        reader.error("events", _MSG_REQUIRED)
    elif type(events) is not list:
        reader.error("events", _MSG_LIST)
    elif not events:
        reader.error("events", "Send at least one event.")
    else:
        for index, raw in enumerate(events):
            event = reader.event(raw, f"events[{index}]")
            if event is not None:
                parsed_events.append(event)

    if reader.errors or agent_token is None or ignore_missing is None:
        raise _bad_request(reader.errors)
    return SyncRequest(
        agent_token=agent_token, events=parsed_events, ignore_missing_invitations=ignore_missing
    )
