"""Per-event planning: compare one event's desired state with the snapshot, in memory, without writing.

A plan either carries an error result (and is never applied) or says exactly which rows change and which
messages the change owes to guests. Nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from apps.core.text import email_normalize, has_control_characters
from apps.core.values import Message
from apps.notifications.models import OutboxMessage
from apps.visits.models import Event, Invitation, Language
from apps.visits.sync import values as check
from apps.visits.sync.inputs import UNSET, EventInput, InvitationInput, PersonInput
from apps.visits.sync.results import ErrorCode, EventSyncResult, FieldError, Path, SyncAction, SyncStatus
from apps.visits.sync.snapshot import ContactRef, ContactRow, EventRow, InvitationRow, ProfileKey, Snapshot

EVENT_COLUMNS = (
    "name",
    "description",
    "starts_at",
    "ends_at",
    "location_id",
    "entrance_id",
    "custom_fields",
    "status",
    "source_updated_at",
    "cancelled_at",
)
SCHEDULE_COLUMNS = ("starts_at", "ends_at", "location_id", "entrance_id")
CONTACT_COLUMNS = ("email", "first_name", "last_name", "company_name")
EMPLOYEE_COLUMNS = ("first_name", "last_name", "phone_number")
INVITATION_COLUMNS = ("language", "custom_fields", "status", "cancel_reason", "cancelled_at", "sequence")

# When an event has problems of several kinds, the status names the first of them in this order;
# `errors` lists them all.
STATUS_PRECEDENCE = (
    SyncStatus.ERROR_EVENT_ANONYMISED,
    SyncStatus.ERROR_MISSING_REQUIRED_FIELDS,
    SyncStatus.ERROR_VALIDATION,
    SyncStatus.ERROR_LOCATION_NOT_FOUND,
    SyncStatus.ERROR_ENTRANCE_NOT_FOUND,
    SyncStatus.ERROR_INVALID_TIME_RANGE,
    SyncStatus.ERROR_CUSTOM_FIELD_NOT_FOUND,
    SyncStatus.ERROR_INVALID_CUSTOM_FIELD_VALUE,
    SyncStatus.ERROR_ACCESS_PARTITION_NOT_FOUND,
    SyncStatus.ERROR_DUPLICATE_INVITATION,
    SyncStatus.ERROR_USER_CANNOT_HOST_AT_LOCATION,
)

LANGUAGES = frozenset(Language.values)
INVITED = Invitation.Status.INVITED
CANCELLED = Invitation.Status.CANCELLED
Kind = OutboxMessage.Kind
Code = ErrorCode
_NEEDS_EMAIL_OR_NAME = _("A guest needs an email or a name.")


@dataclass
class InvitationPlan:
    existing: InvitationRow | None
    contact_ref: ContactRef
    language: str
    custom_fields: dict[str, Any]
    status: str
    cancel_reason: str
    cancelled_at: dt.datetime | None
    sequence: int
    # The full new set of access profiles, or None when it stays as it is.
    profiles: frozenset[ProfileKey] | None = None
    message: str | None = None
    # Set by the writer once a new invitation has its row.
    row_pk: int | None = None

    @property
    def row_changed(self) -> bool:
        # Spelled out rather than looped over INVITATION_COLUMNS: a re-send asks this of every guest.
        row = self.existing
        return row is None or (
            self.status != row.status
            or self.language != row.language
            or self.custom_fields != row.custom_fields
            or self.cancel_reason != row.cancel_reason
            or self.cancelled_at != row.cancelled_at
            or self.sequence != row.sequence
        )


@dataclass
class EventPlan:
    index: int
    result: EventSyncResult
    existing: EventRow | None = None
    values: dict[str, Any] = field(default_factory=dict)
    host_email: str = ""
    creator_email: str | None = None
    # The event's content changed (its `source_updated_at` aside).
    event_changed: bool = False
    invitations: list[InvitationPlan] = field(default_factory=list)
    contact_overlays: list[tuple[ContactRef, dict[str, str]]] = field(default_factory=list)
    employee_overlays: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return self.result.ok and self.result.action not in (SyncAction.UNCHANGED, SyncAction.OUTDATED)


class _Problems:
    def __init__(self) -> None:
        self.items: list[tuple[SyncStatus, FieldError]] = []

    def add(self, status: SyncStatus, code: ErrorCode, path: Path, message: Message, **params: Any) -> None:
        self.items.append((status, FieldError(code=code, path=path, message=message, params=params)))

    def __bool__(self) -> bool:
        return bool(self.items)

    def status(self) -> SyncStatus:
        present = {status for status, _ in self.items}
        return next(s for s in STATUS_PRECEDENCE if s in present)

    def errors(self) -> list[FieldError]:
        return [error for _, error in self.items]


def _text(value: str | None) -> str:
    return "" if value is None else value.strip()


def _identity(email: str, first_name: str, last_name: str) -> tuple[str, str, str]:
    return (email_normalize(email), first_name.strip().lower(), last_name.strip().lower())


def overlay_differs(stored: object | None, overlay: dict[str, Any]) -> bool:
    """Whether applying `overlay` to a stored row (None: not stored yet) would change anything."""
    if stored is None:
        return True
    for col, value in overlay.items():  # noqa: SIM110 - a plain loop: this runs for every guest of a re-send
        if getattr(stored, col) != value:
            return True
    return False


def _single_line_problem(value: str, limit: int) -> tuple[ErrorCode, Message] | None:
    # Names end up in email headers and badges, where a line break would break the message.
    if has_control_characters(value):
        return Code.CONTROL_CHARACTERS, _("Line breaks and other control characters are not allowed here.")
    if msg := check.length_problem(value, limit):
        return Code.TOO_LONG, msg
    return None


def _cancel(plan: InvitationPlan, *, reason: str, at: dt.datetime) -> None:
    plan.status = CANCELLED
    plan.cancel_reason = reason
    plan.cancelled_at = at


def _reinvite(plan: InvitationPlan) -> None:
    plan.status = INVITED
    plan.cancel_reason = Invitation.CancelReason.NONE
    plan.cancelled_at = None


class EventPlanner:
    """Plans the events of one batch; keeps what must be unique across the batch (new contact numbers)."""

    def __init__(self, *, snapshot: Snapshot, ignore_missing_invitations: bool, now: dt.datetime) -> None:
        self.snapshot = snapshot
        self.ignore_missing = ignore_missing_invitations
        # When guests dropped from a complete list (who come with no deletedAt of their own) were removed.
        self.now = now
        self._new_contacts = 0

    # --- entry point ----------------------------------------------------------------------------
    def plan(self, *, index: int, event: EventInput) -> EventPlan:
        source_id = event.source_id if isinstance(event.source_id, str) else None
        plan = EventPlan(index=index, result=EventSyncResult(source_id=source_id))
        problems = _Problems()
        if source_id is None or not source_id.strip():
            problems.add(
                SyncStatus.ERROR_VALIDATION, Code.REQUIRED, ("source_id",), _("An identifier is required.")
            )
            return self._fail(plan, problems)
        if (msg := check.length_problem(source_id, check.MAX_SOURCE_ID)) is not None:
            problems.add(SyncStatus.ERROR_VALIDATION, Code.TOO_LONG, ("source_id",), msg)
            return self._fail(plan, problems)

        existing = self.snapshot.events.get(source_id)
        plan.existing = existing
        plan.result.id = existing.id if existing else None
        if existing is not None and existing.anonymised_at is not None:
            return self._plan_anonymised(plan, event)
        for attr in ("updated_at", "deleted_at"):
            value = getattr(event, attr)
            if isinstance(value, dt.datetime) and (msg := check.aware_problem(value)):
                problems.add(SyncStatus.ERROR_VALIDATION, Code.NAIVE_DATETIME, (attr,), msg)
        if problems:
            return self._fail(plan, problems)

        if (
            existing is not None
            and isinstance(event.updated_at, dt.datetime)
            and existing.source_updated_at is not None
            and event.updated_at < existing.source_updated_at
        ):
            plan.result.action = SyncAction.OUTDATED
            return plan
        if isinstance(event.deleted_at, dt.datetime):
            return self._plan_cancellation(plan, event)
        return self._plan_upsert(plan, event, problems)

    # --- anonymised (apps/privacy) ---------------------------------------------------------------
    def _plan_anonymised(self, plan: EventPlan, event: EventInput) -> EventPlan:
        """Frozen: nothing changes and nothing is sent, so a re-send cannot bring a guest's data back."""
        if isinstance(event.deleted_at, dt.datetime) and plan.existing.status == Event.Status.CANCELLED:
            plan.result.action = SyncAction.UNCHANGED
            return plan
        problems = _Problems()
        problems.add(
            SyncStatus.ERROR_EVENT_ANONYMISED,
            Code.EVENT_ANONYMISED,
            ("source_id",),
            _("This event's guest data was erased after its retention period; it can no longer change."),
        )
        return self._fail(plan, problems)

    # --- cancellation ---------------------------------------------------------------------------
    def _plan_cancellation(self, plan: EventPlan, event: EventInput) -> EventPlan:
        existing = plan.existing
        if existing is None or existing.status == Event.Status.CANCELLED:
            plan.result.action = SyncAction.UNCHANGED
            return plan
        plan.values = {col: getattr(existing, col) for col in EVENT_COLUMNS}
        plan.values["status"] = Event.Status.CANCELLED
        plan.values["cancelled_at"] = event.deleted_at
        plan.values["source_updated_at"] = self._newest_updated_at(existing, event)
        plan.host_email = self.snapshot.employees_by_id[existing.host_id].email
        plan.creator_email = self._existing_creator_email(existing)
        plan.event_changed = True
        for inv in self.snapshot.invitations.get(existing.id, []):
            if inv.status == INVITED:
                kept = self._keep(inv)
                _cancel(kept, reason=Invitation.CancelReason.EVENT_CANCELLED, at=event.deleted_at)
                plan.invitations.append(kept)
        self._derive_messages(plan, schedule_changed=False)
        plan.result.action = SyncAction.DELETED
        return plan

    # --- create or update -----------------------------------------------------------------------
    def _plan_upsert(self, plan: EventPlan, event: EventInput, problems: _Problems) -> EventPlan:
        existing = plan.existing
        is_new = existing is None
        reactivating = existing is not None and existing.status == Event.Status.CANCELLED
        values: dict[str, Any] = (
            {col: getattr(existing, col) for col in EVENT_COLUMNS}
            if existing
            else {
                "name": "",
                "description": "",
                "starts_at": None,
                "ends_at": None,
                "location_id": None,
                "entrance_id": None,
                "custom_fields": {},
                "status": Event.Status.ACTIVE,
                "source_updated_at": None,
                "cancelled_at": None,
            }
        )
        values["status"] = Event.Status.ACTIVE
        values["cancelled_at"] = None
        values["custom_fields"] = dict(values["custom_fields"])
        missing = SyncStatus.ERROR_MISSING_REQUIRED_FIELDS
        invalid = SyncStatus.ERROR_VALIDATION

        for attr in ("name", "starts_at", "ends_at", "location_id"):
            value = getattr(event, attr)
            path = (attr,)
            if value is UNSET:
                if is_new:
                    problems.add(missing, Code.REQUIRED, path, _("This is required to create an event."))
            elif value is None:
                problems.add(invalid, Code.NULL, path, _("This may not be empty."))
            elif attr == "name":
                name = value.strip()
                if not name:
                    problems.add(invalid, Code.BLANK, path, _("This may not be blank."))
                elif found := _single_line_problem(name, check.MAX_EVENT_NAME):
                    problems.add(invalid, found[0], path, found[1])
                values["name"] = name
            elif attr in ("starts_at", "ends_at"):
                if msg := check.aware_problem(value):
                    problems.add(invalid, Code.NAIVE_DATETIME, path, msg)
                values[attr] = value
            else:
                values[attr] = value

        if event.description is not UNSET:
            values["description"] = _text(event.description)
            if msg := check.length_problem(values["description"], check.MAX_DESCRIPTION):
                problems.add(invalid, Code.TOO_LONG, ("description",), msg)

        # Host: an employee found (or made) by email.
        host_sent = isinstance(event.host, PersonInput)
        if event.host is UNSET:
            if is_new:
                problems.add(
                    missing, Code.REQUIRED, ("host", "email"), _("This is required to create an event.")
                )
            else:
                plan.host_email = self.snapshot.employees_by_id[existing.host_id].email
        elif event.host is None:
            problems.add(invalid, Code.NULL, ("host",), _("This may not be empty."))
        else:
            email = self._person(
                plan, event.host, "host", problems, required_status=missing if is_new else invalid
            )
            plan.host_email = email or ""

        if event.creator is UNSET:
            plan.creator_email = self._existing_creator_email(existing) if existing else None
        elif event.creator is None:
            plan.creator_email = None
        else:
            plan.creator_email = self._person(
                plan, event.creator, "creator", problems, required_status=invalid
            )

        location_ok = self._check_location(event, values, problems)
        if location_ok:
            self._check_entrance(event, existing, values, problems)
        starts, ends = values["starts_at"], values["ends_at"]
        comparable = all(isinstance(v, dt.datetime) and v.utcoffset() is not None for v in (starts, ends))
        if comparable and ends <= starts:
            problems.add(
                SyncStatus.ERROR_INVALID_TIME_RANGE,
                Code.ENDS_BEFORE_START,
                ("ends_at",),
                _("The end must be later than the start."),
            )
        if comparable and location_ok:
            self._check_local_times(values, problems)
        if (
            location_ok
            and plan.host_email
            and (is_new or reactivating or host_sent or event.location_id is not UNSET)
        ):
            self._check_host_may_host(plan.host_email, values["location_id"], problems)

        if event.custom_fields is not UNSET:
            values["custom_fields"] = self._merge_custom_fields(
                values["custom_fields"], event.custom_fields, ("custom_fields",), problems, level="event"
            )
        values["source_updated_at"] = self._newest_updated_at(existing, event)

        schedule_changed = (
            existing is not None
            and not reactivating
            and any(values[col] != getattr(existing, col) for col in SCHEDULE_COLUMNS)
        )
        self._plan_guest_list(plan, event, reactivating=reactivating, problems=problems)
        if problems:
            return self._fail(plan, problems)

        plan.values = values
        plan.event_changed = is_new or any(
            values[col] != getattr(existing, col) for col in EVENT_COLUMNS if col != "source_updated_at"
        )
        self._derive_messages(plan, schedule_changed=schedule_changed)
        if is_new:
            plan.result.action = SyncAction.CREATED
        elif self._changes_anything(plan):
            plan.result.action = SyncAction.UPDATED
        else:
            # A newer updatedAt with nothing else new is no change and is not recorded either: an event read
            # and sent back as it is (whose `updatedAt` is the portal's own time, not the source's) stays
            # unchanged, and a portal time never becomes the out-of-order guard's yardstick for the
            # source's clock.
            plan.result.action = SyncAction.UNCHANGED
        return plan

    # --- pieces ---------------------------------------------------------------------------------
    def _person(
        self,
        plan: EventPlan,
        person: PersonInput,
        path: str,
        problems: _Problems,
        *,
        required_status: SyncStatus,
    ) -> str | None:
        if person.email is None:
            problems.add(SyncStatus.ERROR_VALIDATION, Code.NULL, (path, "email"), _("This may not be empty."))
            return None
        if not isinstance(person.email, str) or not person.email.strip():
            problems.add(
                required_status,
                Code.PERSON_EMAIL_REQUIRED,
                (path, "email"),
                _("An email address is required to identify the person."),
            )
            return None
        email = email_normalize(person.email)
        # A stored employee's email was checked when it was stored.
        if email not in self.snapshot.employees_by_email and (msg := check.email_problem(email)):
            problems.add(SyncStatus.ERROR_VALIDATION, Code.INVALID_EMAIL, (path, "email"), msg)
            return None
        overlay: dict[str, str] = {}
        for attr, limit in (
            ("first_name", check.MAX_PERSON_NAME),
            ("last_name", check.MAX_PERSON_NAME),
            ("phone_number", check.MAX_PHONE),
        ):
            value = getattr(person, attr)
            if value is UNSET:
                continue
            overlay[attr] = _text(value)
            if found := _single_line_problem(overlay[attr], limit):
                problems.add(SyncStatus.ERROR_VALIDATION, found[0], (path, attr), found[1])
        plan.employee_overlays.append((email, overlay))
        return email

    def _check_location(self, event: EventInput, values: dict[str, Any], problems: _Problems) -> bool:
        location_id = values["location_id"]
        if location_id is None:
            return False
        if event.location_id is UNSET:
            return True
        location = self.snapshot.locations.get(location_id)
        if location is None or not location.is_active:
            problems.add(
                SyncStatus.ERROR_LOCATION_NOT_FOUND,
                Code.LOCATION_NOT_FOUND,
                ("location_id",),
                format_lazy(_("There is no active location {location_id}."), location_id=location_id),
                location_id=location_id,
            )
            return False
        return True

    def _check_local_times(self, values: dict[str, Any], problems: _Problems) -> None:
        # Guests get these times in the location's zone; one that cannot be shown there cannot be sent.
        location = self.snapshot.locations.get(values["location_id"])
        if location is None:
            return
        for attr in ("starts_at", "ends_at"):
            if msg := check.local_time_problem(values[attr], location.timezone):
                problems.add(SyncStatus.ERROR_VALIDATION, Code.UNREPRESENTABLE_TIME, (attr,), msg)

    def _check_entrance(
        self, event: EventInput, existing: EventRow | None, values: dict[str, Any], problems: _Problems
    ) -> None:
        location_id = values["location_id"]
        if event.entrance_id is UNSET:
            entrance_id = values["entrance_id"]
            if entrance_id is not None and self.snapshot.entrance_locations.get(entrance_id) != location_id:
                problems.add(
                    SyncStatus.ERROR_ENTRANCE_NOT_FOUND,
                    Code.ENTRANCE_NOT_AT_LOCATION,
                    ("entrance_id",),
                    format_lazy(
                        _(
                            "The event's entrance {entrance_id} is not at location {location_id}; "
                            "choose an entrance of the new location, or none."
                        ),
                        entrance_id=entrance_id,
                        location_id=location_id,
                    ),
                    entrance_id=entrance_id,
                    location_id=location_id,
                )
            return
        values["entrance_id"] = event.entrance_id
        if (
            event.entrance_id is not None
            and self.snapshot.entrance_locations.get(event.entrance_id) != location_id
        ):
            problems.add(
                SyncStatus.ERROR_ENTRANCE_NOT_FOUND,
                Code.ENTRANCE_NOT_FOUND,
                ("entrance_id",),
                format_lazy(
                    _("Location {location_id} has no entrance {entrance_id}."),
                    location_id=location_id,
                    entrance_id=event.entrance_id,
                ),
            )

    def _check_host_may_host(self, email: str, location_id: int, problems: _Problems) -> None:
        employee = self.snapshot.employees_by_email.get(email)
        if employee is None:
            return  # a new employee has no restriction yet
        allowed = self.snapshot.employee_locations.get(employee.id)
        if not employee.is_active:
            problems.add(
                SyncStatus.ERROR_USER_CANNOT_HOST_AT_LOCATION,
                Code.HOST_DEACTIVATED,
                ("host", "email"),
                format_lazy(_("{email} is deactivated and cannot host."), email=email),
            )
        elif allowed and location_id not in allowed:
            problems.add(
                SyncStatus.ERROR_USER_CANNOT_HOST_AT_LOCATION,
                Code.HOST_NOT_ALLOWED,
                ("host", "email"),
                format_lazy(
                    _("{email} may not host at location {location_id}."), email=email, location_id=location_id
                ),
            )

    def _merge_custom_fields(
        self,
        current: dict[str, Any],
        sent: dict[str, Any] | None,
        path: Path,
        problems: _Problems,
        *,
        level: str,
    ) -> dict[str, Any]:
        if sent is None:
            return {}
        merged = dict(current)
        for key, value in sent.items():
            definition = self.snapshot.custom_fields.get(key)
            applies = definition is not None and (
                definition.applies_to_events() if level == "event" else definition.applies_to_invitations()
            )
            if not applies:
                problems.add(
                    SyncStatus.ERROR_CUSTOM_FIELD_NOT_FOUND,
                    Code.CUSTOM_FIELD_NOT_FOUND,
                    (*path, key),
                    format_lazy(
                        _("{key} is not the id of an active custom field for events.")
                        if level == "event"
                        else _("{key} is not the id of an active custom field for invitations."),
                        key=repr(key),
                    ),
                )
                continue
            if value is None:
                merged.pop(key, None)
                continue
            if msg := definition.value_problem(value):
                problems.add(
                    SyncStatus.ERROR_INVALID_CUSTOM_FIELD_VALUE,
                    Code.INVALID_CUSTOM_FIELD_VALUE,
                    (*path, key),
                    msg,
                )
                continue
            merged[key] = value
        return merged

    def _plan_guest_list(
        self, plan: EventPlan, event: EventInput, *, reactivating: bool, problems: _Problems
    ) -> None:
        current = self.snapshot.invitations.get(plan.existing.id, []) if plan.existing else []
        working: dict[int, InvitationPlan] = {inv.id: self._keep(inv) for inv in current}
        if reactivating:
            # Guests cancelled together with the event come back with it; guests removed before stay out.
            for inv in current:
                if inv.cancel_reason == Invitation.CancelReason.EVENT_CANCELLED:
                    _reinvite(working[inv.id])
        new_plans: list[InvitationPlan] = []
        if event.invitations is None:
            problems.add(
                SyncStatus.ERROR_VALIDATION,
                Code.GUEST_LIST_NULL,
                ("invitations",),
                _("The guest list may not be empty; remove every guest instead."),
            )
        elif event.invitations is not UNSET:
            matched_ids = self._plan_listed_guests(
                plan, event.invitations, current, working, new_plans, problems
            )
            if not self.ignore_missing:
                for inv in current:
                    if inv.id not in matched_ids and working[inv.id].status == INVITED:
                        _cancel(working[inv.id], reason=Invitation.CancelReason.REMOVED, at=self.now)
        plan.invitations = [*working.values(), *new_plans]

    def _plan_listed_guests(
        self,
        plan: EventPlan,
        items: list[InvitationInput],
        current: list[InvitationRow],
        working: dict[int, InvitationPlan],
        new_plans: list[InvitationPlan],
        problems: _Problems,
    ) -> set[int]:
        by_source_id = {inv.contact.source_id: inv for inv in current if inv.contact.source_id is not None}
        by_identity: dict[tuple[str, str, str], InvitationRow] = {}
        for inv in current:
            if inv.contact.source_id is None:
                c = inv.contact
                by_identity.setdefault(_identity(c.email, c.first_name, c.last_name), inv)
        seen: set[tuple[Any, ...]] = set()
        matched_ids: set[int] = set()
        invalid = SyncStatus.ERROR_VALIDATION

        for j, item in enumerate(items):
            path: Path = ("invitations", j)
            # Identifiers are taken exactly as sent, like event sourceIds; only an all-blank one is refused.
            source_id = item.source_id if isinstance(item.source_id, str) else None
            if source_id is not None:
                if not source_id.strip():
                    problems.add(
                        invalid,
                        Code.BLANK_IDENTIFIER,
                        (*path, "source_id"),
                        _("An identifier may not be blank; leave it out instead."),
                    )
                    continue
                if msg := check.length_problem(source_id, check.MAX_SOURCE_ID):
                    problems.add(invalid, Code.TOO_LONG, (*path, "source_id"), msg)
                    continue
            if isinstance(item.deleted_at, dt.datetime) and (msg := check.aware_problem(item.deleted_at)):
                problems.add(invalid, Code.NAIVE_DATETIME, (*path, "deleted_at"), msg)
                continue
            # Spelled out rather than looped over CONTACT_COLUMNS: this runs for every guest of a batch.
            sent: dict[str, str] = {}
            if item.email is not UNSET:
                sent["email"] = email_normalize(_text(item.email))
            if item.first_name is not UNSET:
                sent["first_name"] = _text(item.first_name)
            if item.last_name is not UNSET:
                sent["last_name"] = _text(item.last_name)
            if item.company_name is not UNSET:
                sent["company_name"] = _text(item.company_name)
            if source_id is not None:
                key: tuple[Any, ...] = ("sid", source_id)
                matched = by_source_id.get(source_id)
            else:
                identity = _identity(
                    sent.get("email", ""), sent.get("first_name", ""), sent.get("last_name", "")
                )
                if identity == ("", "", "") and not isinstance(item.deleted_at, dt.datetime):
                    problems.add(invalid, Code.NEEDS_EMAIL_OR_NAME, path, _NEEDS_EMAIL_OR_NAME)
                    continue
                key = ("identity", *identity)
                matched = by_identity.get(identity)
            if key in seen:
                problems.add(
                    SyncStatus.ERROR_DUPLICATE_INVITATION,
                    Code.DUPLICATE_INVITATION,
                    path,
                    format_lazy(
                        _("Another guest of this event has the same identifier {source_id}."),
                        source_id=repr(source_id),
                    )
                    if source_id is not None
                    else _("Another guest of this event has the same email and name."),
                    source_id=source_id,
                )
                continue
            seen.add(key)
            if matched is not None:
                matched_ids.add(matched.id)

            if isinstance(item.deleted_at, dt.datetime):
                if matched is not None and working[matched.id].status == INVITED:
                    _cancel(working[matched.id], reason=Invitation.CancelReason.REMOVED, at=item.deleted_at)
                continue

            stored = self.snapshot.contacts.get(source_id) if source_id is not None else None
            if matched is not None:
                stored = matched.contact
            item_problems = self._check_contact_values(sent, stored, path, problems)
            if source_id is not None:
                ref: ContactRef = ("sid", source_id)
                if source_id not in self.snapshot.contacts and not (
                    sent.get("email") or sent.get("first_name") or sent.get("last_name")
                ):
                    problems.add(invalid, Code.NEEDS_EMAIL_OR_NAME, path, _NEEDS_EMAIL_OR_NAME)
                    continue
            elif matched is not None:
                ref = ("pk", matched.contact_id)
            else:
                self._new_contacts += 1
                ref = ("new", self._new_contacts)
            if item_problems:
                continue
            plan.contact_overlays.append((ref, sent))

            target = working[matched.id] if matched is not None else None
            language = self._language(item, target, path, problems)
            custom_fields = (
                self._merge_custom_fields(
                    target.custom_fields if target else {},
                    item.custom_fields,
                    (*path, "custom_fields"),
                    problems,
                    level="invitation",
                )
                if item.custom_fields is not UNSET
                else (dict(target.custom_fields) if target else {})
            )
            profiles = self._access_profiles(item, path, problems)

            if target is None:
                new_plans.append(
                    InvitationPlan(
                        existing=None,
                        contact_ref=ref,
                        language=language,
                        custom_fields=custom_fields,
                        status=INVITED,
                        cancel_reason=Invitation.CancelReason.NONE,
                        cancelled_at=None,
                        sequence=0,
                        profiles=profiles if profiles else None,
                    )
                )
                continue
            target.language = language
            target.custom_fields = custom_fields
            if profiles is not None and profiles != self.snapshot.invitation_profiles.get(
                matched.id, frozenset()
            ):
                target.profiles = profiles
            if target.status == CANCELLED:
                _reinvite(target)
        return matched_ids

    def _check_contact_values(
        self, sent: dict[str, str], stored: ContactRow | None, path: Path, problems: _Problems
    ) -> bool:
        found = False
        limits = {
            "first_name": check.MAX_PERSON_NAME,
            "last_name": check.MAX_PERSON_NAME,
            "company_name": check.MAX_COMPANY,
        }
        email = sent.get("email")
        # An email equal to the stored one was checked when it was stored.
        if email and (stored is None or stored.email != email) and (msg := check.email_problem(email)):
            problems.add(SyncStatus.ERROR_VALIDATION, Code.INVALID_EMAIL, (*path, "email"), msg)
            found = True
        for col, limit in limits.items():
            if col not in sent or (stored is not None and getattr(stored, col) == sent[col]):
                continue  # a value equal to the stored one was checked when it was stored
            if problem := _single_line_problem(sent[col], limit):
                problems.add(SyncStatus.ERROR_VALIDATION, problem[0], (*path, col), problem[1])
                found = True
        return found

    def _language(
        self, item: InvitationInput, target: InvitationPlan | None, path: Path, problems: _Problems
    ) -> str:
        if item.language is UNSET:
            return target.language if target else Language.EN
        if item.language is None:
            return Language.EN
        if item.language not in LANGUAGES:
            problems.add(
                SyncStatus.ERROR_VALIDATION,
                Code.INVALID_LANGUAGE,
                (*path, "language"),
                format_lazy(
                    _("{value} is not one of {choices}."),
                    value=repr(item.language),
                    choices=", ".join(Language.values),
                ),
            )
            return Language.EN
        return item.language

    def _access_profiles(
        self, item: InvitationInput, path: Path, problems: _Problems
    ) -> frozenset[ProfileKey] | None:
        if item.access_profiles is UNSET:
            return None
        keys: set[ProfileKey] = set()
        for k, profile in enumerate(item.access_profiles or ()):
            if profile.partition_id not in self.snapshot.partitions:
                problems.add(
                    SyncStatus.ERROR_ACCESS_PARTITION_NOT_FOUND,
                    Code.ACCESS_PARTITION_NOT_FOUND,
                    (*path, "access_profiles", k, "partition_id"),
                    format_lazy(
                        _("There is no access partition {partition_id}."), partition_id=profile.partition_id
                    ),
                )
                continue
            source_id = profile.source_id.strip()
            if not source_id or check.length_problem(source_id, check.MAX_SOURCE_ID):
                problems.add(
                    SyncStatus.ERROR_VALIDATION,
                    Code.INVALID_PROFILE_ID,
                    (*path, "access_profiles", k, "source_id"),
                    format_lazy(
                        _("An identifier must be 1 to {limit} characters."), limit=check.MAX_SOURCE_ID
                    ),
                    limit=check.MAX_SOURCE_ID,
                )
                continue
            keys.add((profile.partition_id, source_id))
        return frozenset(keys)

    def _derive_messages(self, plan: EventPlan, *, schedule_changed: bool) -> None:
        """What each guest is owed follows from where their invitation was and where it ends up."""
        for inv in plan.invitations:
            was_invited = inv.existing is not None and inv.existing.status == INVITED
            now_invited = inv.status == INVITED
            if now_invited and not was_invited:
                inv.message = Kind.INVITATION
            elif was_invited and inv.status == CANCELLED:
                inv.message = Kind.CANCELLATION
            elif was_invited and now_invited and schedule_changed:
                inv.message = Kind.UPDATE
            if inv.message is not None and inv.existing is not None:
                inv.sequence = inv.existing.sequence + 1

    def _changes_anything(self, plan: EventPlan) -> bool:
        existing = plan.existing
        if plan.event_changed:
            return True
        if plan.host_email != self.snapshot.employees_by_id[existing.host_id].email:
            return True
        if plan.creator_email != self._existing_creator_email(existing):
            return True
        if any(inv.row_changed or inv.profiles is not None for inv in plan.invitations):
            return True
        if any(overlay_differs(self.snapshot.contact_for(ref), o) for ref, o in plan.contact_overlays):
            return True
        return any(
            overlay_differs(self.snapshot.employees_by_email.get(email), o)
            for email, o in plan.employee_overlays
        )

    def _existing_creator_email(self, existing: EventRow) -> str | None:
        if existing.creator_id is None:
            return None
        creator = self.snapshot.employees_by_id.get(existing.creator_id)
        return creator.email if creator else None

    @staticmethod
    def _keep(inv: InvitationRow) -> InvitationPlan:
        return InvitationPlan(
            existing=inv,
            contact_ref=("pk", inv.contact_id)
            if inv.contact.source_id is None
            else ("sid", inv.contact.source_id),
            language=inv.language,
            custom_fields=dict(inv.custom_fields),
            status=inv.status,
            cancel_reason=inv.cancel_reason,
            cancelled_at=inv.cancelled_at,
            sequence=inv.sequence,
        )

    @staticmethod
    def _newest_updated_at(existing: EventRow | None, event: EventInput) -> dt.datetime | None:
        stored = existing.source_updated_at if existing else None
        sent = event.updated_at if isinstance(event.updated_at, dt.datetime) else None
        if sent is None:
            return stored
        return sent if stored is None or sent > stored else stored

    @staticmethod
    def _fail(plan: EventPlan, problems: _Problems) -> EventPlan:
        plan.result.status = problems.status()
        plan.result.errors = problems.errors()
        plan.result.action = None
        plan.result.id = plan.existing.id if plan.existing else None
        return plan
