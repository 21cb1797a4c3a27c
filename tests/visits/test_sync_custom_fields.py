"""Custom fields: scope, type checks, key-by-key merge and the guest's effective values."""

import pytest

from apps.directory.models import CustomField
from apps.visits.models import Event, Invitation
from apps.visits.selectors import invitation_effective_custom_fields
from apps.visits.sync import EventInput, events_sync
from tests.factories import CustomFieldFactory, acting
from tests.visits.conftest import db_state, guest
from tests.visits.wire import WireError, wire

pytestmark = pytest.mark.django_db
Type, Scope = CustomField.FieldType, CustomField.Scope


def test_event_custom_fields_merge_key_by_key(integration, make_event):
    a, b, c = CustomFieldFactory.create_batch(3, scope=Scope.EVENT)
    events_sync(
        actor=acting(integration), events=[make_event(custom_fields={str(a.id): "A", str(b.id): "B"})]
    )

    events_sync(
        actor=acting(integration),
        events=[EventInput(source_id="meeting-1", custom_fields={str(b.id): None, str(c.id): "C"})],
    )

    assert Event.objects.get().custom_fields == {str(a.id): "A", str(c.id): "C"}


def test_invitation_value_overrides_the_event_value_for_that_guest(integration, make_event):
    shared = CustomFieldFactory(scope=Scope.BOTH)
    plate = CustomFieldFactory(scope=Scope.INVITATION)
    events_sync(
        actor=acting(integration),
        events=[
            make_event(
                custom_fields={str(shared.id): "event default"},
                invitations=[
                    guest("g1"),
                    guest("g2", custom_fields={str(shared.id): "own", str(plate.id): "B-XY 1"}),
                ],
            )
        ],
    )

    effective = {
        inv.contact.source_id: invitation_effective_custom_fields(invitation=inv)
        for inv in Invitation.objects.select_related("contact", "event")
    }
    assert effective == {
        "g1": {str(shared.id): "event default"},
        "g2": {str(shared.id): "own", str(plate.id): "B-XY 1"},
    }


def test_field_of_the_other_scope_is_not_found(integration, make_event):
    invitation_only = CustomFieldFactory(scope=Scope.INVITATION)

    [result] = events_sync(
        actor=acting(integration), events=[make_event(custom_fields={str(invitation_only.id): "x"})]
    )

    assert (result.status, wire(result)) == (
        "ERROR_CUSTOM_FIELD_NOT_FOUND",
        [
            WireError(
                f"customFields.{invitation_only.id}",
                f"'{invitation_only.id}' is not the id of an active custom field for events.",
            )
        ],
    )


def test_inactive_or_unknown_field_is_not_found(integration, make_event):
    inactive = CustomFieldFactory(is_active=False)

    [result] = events_sync(
        actor=acting(integration),
        events=[make_event(invitations=[guest("g1", custom_fields={str(inactive.id): "x", "999999": "y"})])],
    )

    assert result.status == "ERROR_CUSTOM_FIELD_NOT_FOUND"
    assert [e.field for e in wire(result)] == [
        f"invitations[0].customFields.{inactive.id}",
        "invitations[0].customFields.999999",
    ]


@pytest.mark.parametrize(
    ("field_type", "options", "value"),
    [
        (Type.NUMBER, [], "12"),
        (Type.NUMBER, [], True),
        (Type.BOOLEAN, [], "yes"),
        (Type.DATE, [], "2026-13-01"),
        (Type.SELECT, ["Car", "Bike"], "Plane"),
        (Type.EMAIL, [], "not-an-email"),
        (Type.PHONE, [], "call me"),
        (Type.TEXT, [], 42),
    ],
)
def test_value_that_does_not_fit_the_type_is_invalid(integration, make_event, field_type, options, value):
    field = CustomFieldFactory(field_type=field_type, options=options)
    before = db_state()

    [result] = events_sync(
        actor=acting(integration), events=[make_event(custom_fields={str(field.id): value})]
    )

    assert (result.status, [e.field for e in wire(result)]) == (
        "ERROR_INVALID_CUSTOM_FIELD_VALUE",
        [f"customFields.{field.id}"],
    )
    assert db_state() == before


@pytest.mark.parametrize(
    ("field_type", "options", "value"),
    [
        (Type.NUMBER, [], 12.5),
        (Type.BOOLEAN, [], False),
        (Type.DATE, [], "2026-12-01"),
        (Type.SELECT, ["Car", "Bike"], "Bike"),
        (Type.EMAIL, [], "a@example.com"),
        (Type.PHONE, [], "+49 (30) 123-45"),
        (Type.TEXT, [], "Security clearance required"),
    ],
)
def test_value_that_fits_the_type_is_stored(integration, make_event, field_type, options, value):
    field = CustomFieldFactory(field_type=field_type, options=options)

    events_sync(actor=acting(integration), events=[make_event(custom_fields={str(field.id): value})])

    assert Event.objects.get().custom_fields == {str(field.id): value}


def test_custom_field_only_change_sends_nothing(integration, make_event):
    from apps.notifications.models import OutboxMessage

    field = CustomFieldFactory()
    events_sync(actor=acting(integration), events=[make_event(invitations=[guest("g1")])])
    OutboxMessage.objects.all().delete()

    [result] = events_sync(
        actor=acting(integration),
        events=[
            EventInput(
                source_id="meeting-1",
                custom_fields={str(field.id): "x"},
                invitations=[guest("g1", custom_fields={str(field.id): "y"})],
            )
        ],
    )

    assert (result.action, OutboxMessage.objects.count()) == ("updated", 0)
