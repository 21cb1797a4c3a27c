"""What the database holds for one batch, loaded in a fixed number of queries whatever its size."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast

from apps.core.bulk import values_in
from apps.core.text import email_normalize
from apps.directory.models import AccessPartition, AccessProfile, CustomField, Employee, Entrance, Location
from apps.integrations.models import Integration
from apps.visits.models import Contact, Event, Invitation
from apps.visits.sync.inputs import EventInput, PersonInput

ProfileKey = tuple[int, str]
# ("sid", source id) for a contact shared across events, ("pk", id) for an existing private contact,
# ("new", n) for a private contact the batch creates.
ContactRef = tuple[str, Any]


# Plain rows instead of model instances: a large batch loads tens of thousands of them, and building
# Django models costs several times more than these slotted dataclasses.
@dataclass(slots=True)
class ContactRow:
    id: int
    source_id: str | None
    email: str
    first_name: str
    last_name: str
    company_name: str


@dataclass(slots=True)
class InvitationRow:
    id: int
    event_id: int
    contact_id: int
    language: str
    custom_fields: dict[str, Any]
    status: str
    cancel_reason: str
    cancelled_at: dt.datetime | None
    sequence: int
    contact: ContactRow


@dataclass(slots=True)
class EventRow:
    id: int
    source_id: str
    name: str
    description: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    location_id: int
    entrance_id: int | None
    host_id: int
    creator_id: int | None
    custom_fields: dict[str, Any]
    status: str
    source_updated_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    anonymised_at: dt.datetime | None = None


EVENT_ROW_FIELDS = tuple(f for f in EventRow.__dataclass_fields__)
CONTACT_ROW_FIELDS = tuple(f for f in ContactRow.__dataclass_fields__)
INVITATION_ROW_FIELDS = tuple(f for f in InvitationRow.__dataclass_fields__ if f != "contact")
_CUSTOM_FIELDS_INDEX = INVITATION_ROW_FIELDS.index("custom_fields")
# A guest's custom fields read as text: most guests have none, and decoding "{}" through the JSON field
# 10,000 times is a measurable part of a re-send.
_INVITATION_COLUMNS = tuple(
    "custom_fields_text" if f == "custom_fields" else f for f in INVITATION_ROW_FIELDS
)


def _rows(queryset: QuerySet) -> Iterable[tuple[Any, ...]]:
    """A values_list queryset's rows; on PostgreSQL straight from the cursor, in one fetch.

    psycopg already returns these columns as Python values (no converters apply), and skipping the
    ORM's chunked row iteration saves about a tenth of a 10,000-guest re-send's snapshot.
    """
    if connection.vendor != "postgresql":
        return queryset
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _json_text_decode(text: str | None) -> Any:
    return {} if text == "{}" or text is None else json.loads(text)


@dataclass
class Snapshot:
    events: dict[str, EventRow] = field(default_factory=dict)
    invitations: dict[int, list[InvitationRow]] = field(default_factory=dict)
    invitation_profiles: dict[int, frozenset[ProfileKey]] = field(default_factory=dict)
    locations: dict[int, Location] = field(default_factory=dict)
    entrance_locations: dict[int, int] = field(default_factory=dict)
    employees_by_email: dict[str, Employee] = field(default_factory=dict)
    employees_by_id: dict[int, Employee] = field(default_factory=dict)
    employee_locations: dict[int, frozenset[int]] = field(default_factory=dict)
    custom_fields: dict[str, CustomField] = field(default_factory=dict)
    partitions: set[int] = field(default_factory=set)
    profiles: dict[ProfileKey, int] = field(default_factory=dict)
    contacts: dict[str, ContactRow] = field(default_factory=dict)
    # Contacts of the loaded invitations, by id (the private ones are only reachable this way).
    contacts_by_id: dict[int, ContactRow] = field(default_factory=dict)

    def contact_for(self, ref: ContactRef) -> ContactRow | None:
        """The stored contact a reference names; None for a contact the batch creates."""
        kind, key = ref
        if kind == "sid":
            return self.contacts.get(key)
        if kind == "pk":
            return self.contacts_by_id.get(key)
        return None


@dataclass
class _References:
    source_ids: set[str] = field(default_factory=set)
    location_ids: set[int] = field(default_factory=set)
    entrance_ids: set[int] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)
    partition_ids: set[int] = field(default_factory=set)
    profile_source_ids: set[str] = field(default_factory=set)
    contact_source_ids: set[str] = field(default_factory=set)
    uses_custom_fields: bool = False


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _collect(events: list[EventInput]) -> _References:
    refs = _References()
    for ev in events:
        if isinstance(ev.source_id, str):
            refs.source_ids.add(ev.source_id)
        if _is_int(ev.location_id):
            refs.location_ids.add(ev.location_id)
        if _is_int(ev.entrance_id):
            refs.entrance_ids.add(ev.entrance_id)
        for person in (ev.host, ev.creator):
            if isinstance(person, PersonInput) and isinstance(person.email, str):
                refs.emails.add(email_normalize(person.email))
        if isinstance(ev.custom_fields, dict) and ev.custom_fields:
            refs.uses_custom_fields = True
        for inv in ev.invitations if isinstance(ev.invitations, list) else ():
            if isinstance(inv.source_id, str):
                refs.contact_source_ids.add(inv.source_id)
            if isinstance(inv.custom_fields, dict) and inv.custom_fields:
                refs.uses_custom_fields = True
            for profile in inv.access_profiles if isinstance(inv.access_profiles, list) else ():
                refs.partition_ids.add(profile.partition_id)
                refs.profile_source_ids.add(profile.source_id)
    return refs


def snapshot_load(*, integration: Integration | None, events: list[EventInput]) -> Snapshot:
    refs = _collect(events)
    snap = Snapshot()
    if refs.source_ids:
        rows = Event.objects.filter(
            values_in("source_id", refs.source_ids, sql_type="text"), integration=integration
        ).values_list(*EVENT_ROW_FIELDS)
        snap.events = {row.source_id: row for row in (EventRow(*values) for values in rows)}
    event_ids = [e.id for e in snap.events.values()]
    if event_ids:
        grouped: dict[int, list[InvitationRow]] = defaultdict(list)
        rows = _rows(
            Invitation.objects.filter(values_in("event_id", event_ids, sql_type="bigint"))
            .annotate(custom_fields_text=Cast("custom_fields", TextField()))
            .order_by("id")
            .values_list(*_INVITATION_COLUMNS)
        )
        # The guests' contacts in a query of their own, by id: joined, PostgreSQL reads the whole contacts
        # table (a hash join), which grows with every guest the portal has ever had.
        contact_ids = {values[2] for values in rows}
        if contact_ids:
            snap.contacts_by_id = {
                values[0]: ContactRow(*values)
                for values in _rows(
                    Contact.objects.filter(values_in("id", contact_ids, sql_type="bigint")).values_list(
                        *CONTACT_ROW_FIELDS
                    )
                )
            }
        contacts = snap.contacts_by_id
        for values in rows:
            inv = InvitationRow(*values, contact=contacts[values[2]])
            inv.custom_fields = _json_text_decode(values[_CUSTOM_FIELDS_INDEX])
            grouped[inv.event_id].append(inv)
        snap.invitations = dict(grouped)
        profiles: dict[int, set[ProfileKey]] = defaultdict(set)
        through = Invitation.access_profiles.through.objects.filter(
            values_in("invitation__event_id", event_ids, sql_type="bigint")
        )
        for inv_id, partition_id, source_id in through.values_list(
            "invitation_id", "accessprofile__partition_id", "accessprofile__source_id"
        ):
            profiles[inv_id].add((partition_id, source_id))
        snap.invitation_profiles = {k: frozenset(v) for k, v in profiles.items()}

    location_ids = refs.location_ids | {e.location_id for e in snap.events.values()}
    if location_ids:
        snap.locations = {loc.id: loc for loc in Location.objects.filter(id__in=location_ids)}
    entrance_ids = refs.entrance_ids | {e.entrance_id for e in snap.events.values() if e.entrance_id}
    if entrance_ids:
        snap.entrance_locations = dict(
            Entrance.objects.filter(id__in=entrance_ids).values_list("id", "location_id")
        )

    person_ids = {e.host_id for e in snap.events.values()} | {
        e.creator_id for e in snap.events.values() if e.creator_id
    }
    if refs.emails or person_ids:
        employees = list(Employee.objects.filter(Q(email__in=refs.emails) | Q(id__in=person_ids)))
        snap.employees_by_email = {emp.email: emp for emp in employees}
        snap.employees_by_id = {emp.id: emp for emp in employees}
        hosting: dict[int, set[int]] = defaultdict(set)
        for emp_id, loc_id in Employee.hosting_locations.through.objects.filter(
            employee_id__in=snap.employees_by_id
        ).values_list("employee_id", "location_id"):
            hosting[emp_id].add(loc_id)
        snap.employee_locations = {k: frozenset(v) for k, v in hosting.items()}

    if refs.uses_custom_fields:
        snap.custom_fields = {str(f.id): f for f in CustomField.objects.filter(is_active=True)}
    if refs.partition_ids:
        snap.partitions = set(
            AccessPartition.objects.filter(id__in=refs.partition_ids).values_list("id", flat=True)
        )
        snap.profiles = {
            (partition_id, source_id): pk
            for pk, partition_id, source_id in AccessProfile.objects.filter(
                partition_id__in=refs.partition_ids, source_id__in=refs.profile_source_ids
            ).values_list("id", "partition_id", "source_id")
        }
    # Contacts already reached through the loaded invitations need no second look-up.
    snap.contacts = {c.source_id: c for c in snap.contacts_by_id.values() if c.source_id is not None}
    unseen_contacts = refs.contact_source_ids - snap.contacts.keys()
    if unseen_contacts:
        rows = Contact.objects.filter(
            integration=integration, source_id__in=refs.contact_source_ids
        ).values_list(*CONTACT_ROW_FIELDS)
        snap.contacts = {row.source_id: row for row in (ContactRow(*values) for values in rows)}
    return snap
