"""The engine's email check: a fast path for everyday addresses that never accepts what Django refuses."""

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from apps.core.values import email_problem


def django_accepts(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize(
    "value",
    [
        "ada@example.com",
        "first.last+tag@mail.example.co.uk",
        "x_y%z@a-b.example.org",
        "a@b.c",
        ".dot@example.com",
        "dot.@example.com",
        "two..dots@example.com",
        "a@-example.com",
        "a@example-.com",
        "a@example.c0m",
        "a@example.com-",
        "a@example",
        "a b@example.com",
        "a@[127.0.0.1]",
        '"quoted"@example.com',
        "o'brien@example.ie",
        "ünïcode@example.com",
        "a@xn--bcher-kva.example",
        "a@" + "b" * 64 + ".com",
    ],
)
def test_the_check_agrees_with_djangos_validator(value):
    assert (email_problem(value) is None) == django_accepts(value)
