"""The engine speaks its own language: stable codes, paths in its own terms, translatable messages."""

import pytest
from django.utils import translation

from apps.visits.sync import ErrorCode, events_sync
from tests.factories import CustomFieldFactory, acting
from tests.visits.conftest import guest

pytestmark = pytest.mark.django_db


def terms(result) -> list[tuple]:
    return [(error.code, error.path) for error in result.errors]


def test_a_guest_error_names_the_guest_and_field_by_position(integration, make_event):
    [result] = events_sync(
        actor=acting(integration),
        events=[make_event(invitations=[guest("g1"), guest("g2", email="not-an-email", first_name="A\nB")])],
    )

    assert terms(result) == [
        (ErrorCode.INVALID_EMAIL, ("invitations", 1, "email")),
        (ErrorCode.CONTROL_CHARACTERS, ("invitations", 1, "first_name")),
    ]


def test_custom_field_errors_keep_the_field_id_as_the_last_step(integration, make_event):
    field = CustomFieldFactory(field_type="NUMBER")

    [result] = events_sync(
        actor=acting(integration),
        events=[
            make_event(
                custom_fields={str(field.id): "many"}, invitations=[guest("g1", custom_fields={"999": 1})]
            )
        ],
    )

    assert terms(result) == [
        (ErrorCode.INVALID_CUSTOM_FIELD_VALUE, ("custom_fields", str(field.id))),
        (ErrorCode.CUSTOM_FIELD_NOT_FOUND, ("invitations", 0, "custom_fields", "999")),
    ]


def test_missing_and_reversed_times_have_their_own_codes(integration, make_event):
    [missing] = events_sync(actor=acting(integration), events=[make_event(name=None, ends_at=None)])
    [reversed_] = events_sync(
        actor=acting(integration), events=[make_event("m2", ends_at=make_event().starts_at)]
    )

    assert terms(missing) == [(ErrorCode.NULL, ("name",)), (ErrorCode.NULL, ("ends_at",))]
    assert terms(reversed_) == [(ErrorCode.ENDS_BEFORE_START, ("ends_at",))]


def test_messages_speak_the_engine_language_not_the_api(integration, make_event):
    [result] = events_sync(actor=acting(integration), events=[make_event(invitations=None)])

    [error] = result.errors
    assert (error.code, error.path, str(error.message)) == (
        ErrorCode.GUEST_LIST_NULL,
        ("invitations",),
        "The guest list may not be empty; remove every guest instead.",
    )


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", "Das Ende muss nach dem Beginn liegen."),
        ("cs", "Konec musí být později než začátek."),
    ],
)
def test_messages_are_rendered_in_the_active_language(integration, make_event, language, expected):
    [result] = events_sync(actor=acting(integration), events=[make_event(ends_at=make_event().starts_at)])

    with translation.override(language):
        assert [str(error.message) for error in result.errors] == [expected]
