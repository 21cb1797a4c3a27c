"""Form inputs for the custom fields an administrator defines, and their values both ways.

The form only turns what was typed into the JSON type of the field (a number, true/false, a date
string); whether the value is acceptable is the engine's to judge, as for the sync API.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from apps.directory.models import CustomField

Type = CustomField.FieldType
YES, NO = "yes", "no"


def custom_field_name(field: CustomField) -> str:
    return f"cf_{field.pk}"


class NumberField(forms.CharField):
    widget = forms.TextInput(attrs={"inputmode": "decimal"})

    def to_python(self, value: Any) -> int | float | None:
        text = super().to_python(value).strip().replace(",", ".")
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValidationError(_("Enter a number."), code="invalid") from None
        if not number.is_finite():
            raise ValidationError(_("Enter a number."), code="invalid")
        return int(number) if number == number.to_integral_value() and "." not in text else float(number)


class YesNoField(forms.TypedChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            choices=[("", "—"), (YES, _("Yes")), (NO, _("No"))],
            coerce=lambda value: value == YES,
            empty_value=None,
            **kwargs,
        )


def custom_form_field(field: CustomField) -> forms.Field:
    common: dict[str, Any] = {"label": field.name, "required": False}
    match field.field_type:
        case Type.NUMBER:
            return NumberField(**common)
        case Type.BOOLEAN:
            return YesNoField(**common)
        case Type.DATE:
            return forms.DateField(
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **common
            )
        case Type.SELECT:
            # A stored value no longer among the options stays selectable, so an edit does not lose it.
            return forms.CharField(widget=forms.Select(choices=[("", "—")]), **common)
        case Type.EMAIL:
            return forms.CharField(widget=forms.EmailInput(attrs={"autocomplete": "off"}), **common)
        case Type.PHONE:
            return forms.CharField(widget=forms.TextInput(attrs={"type": "tel"}), **common)
    return forms.CharField(**common)


def custom_fields_add(form: forms.Form, fields: list[CustomField], initial: dict[str, Any]) -> None:
    """Add one input per custom field to `form`, showing the stored values in `initial`."""
    for definition in fields:
        name = custom_field_name(definition)
        form_field = custom_form_field(definition)
        stored = initial.get(str(definition.pk))
        if definition.field_type == Type.SELECT:
            options = list(definition.options)
            if isinstance(stored, str) and stored and stored not in options:
                options.append(stored)
            form_field.widget.choices = [("", "—"), *((o, o) for o in options)]
        form.fields[name] = form_field
        if stored is not None:
            form.initial.setdefault(name, custom_value_initial(definition, stored))


def custom_value_initial(definition: CustomField, value: Any) -> Any:
    if definition.field_type == Type.BOOLEAN and isinstance(value, bool):
        return YES if value else NO
    return value


def custom_values(form: forms.Form, fields: list[CustomField]) -> dict[str, Any]:
    """The engine's custom field values from a valid form: every field's value, None to clear it."""
    values: dict[str, Any] = {}
    for definition in fields:
        value = form.cleaned_data.get(custom_field_name(definition))
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, str):
            value = value.strip() or None
        values[str(definition.pk)] = value
    return values
