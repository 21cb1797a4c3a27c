"""Custom field rules live with the definition, so forms and the engine judge values alike."""

import pytest

from apps.directory.models import CustomField, custom_fields_effective

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("field_type", "options", "value", "problem"),
    [
        ("TEXT", [], "x" * 1001, "Ensure this value has at most 1000 characters (it has 1001)."),
        ("NUMBER", [], True, "Expected a number."),
        ("NUMBER", [], 2**53 + 1, "Expected a number between -(2^53) and 2^53."),
        ("BOOLEAN", [], "yes", "Expected true or false."),
        ("DATE", [], "2026-02-30", "Expected a date as YYYY-MM-DD."),
        ("SELECT", ["A", "B"], "C", "Expected one of: A, B."),
        ("EMAIL", [], "nope", "'nope' is not a valid email address."),
        ("PHONE", [], "call me", "'call me' is not a phone number (digits, spaces and + ( ) . / - only)."),
    ],
)
def test_a_value_that_does_not_fit_the_definition_is_refused(field_type, options, value, problem):
    field = CustomField(name="F", field_type=field_type, options=options)

    assert str(field.value_problem(value)) == problem


@pytest.mark.parametrize(
    ("field_type", "options", "value"),
    [("TEXT", [], "ok"), ("NUMBER", [], 1.5), ("DATE", [], "2026-12-02"), ("SELECT", ["A"], "A")],
)
def test_a_fitting_value_has_no_problem(field_type, options, value):
    assert CustomField(name="F", field_type=field_type, options=options).value_problem(value) is None


def test_a_guests_own_value_wins_over_the_events():
    assert custom_fields_effective(event_values={"1": "a", "2": "b"}, invitation_values={"2": "c"}) == {
        "1": "a",
        "2": "c",
    }
