from django import forms
from django.utils.translation import gettext_lazy as _

from apps.directory.models import Employee, Entrance
from apps.reception.selectors import DeskStatus


class EntranceChoiceField(forms.ModelChoiceField):
    # The desk is at one location: the entrance's name is enough (and costs no query per option).
    def label_from_instance(self, obj: Entrance) -> str:
        return obj.name


class DeskFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name, email or company")}),
    )
    entrance = EntranceChoiceField(label=_("Entrance"), queryset=Entrance.objects.none(), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All")),
            (DeskStatus.EXPECTED, _("Expected")),
            (DeskStatus.ON_SITE, _("On site")),
            (DeskStatus.LEFT, _("Left")),
        ],
    )

    def __init__(self, *args, entrances, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["entrance"].queryset = entrances
        self.fields["entrance"].empty_label = _("All entrances")


class ScanForm(forms.Form):
    code = forms.CharField(
        label=_("QR code"),
        max_length=200,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "off", "placeholder": _("Scan or type the code")}
        ),
    )


class HostChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Employee) -> str:
        return f"{obj.full_name} ({obj.email})" if obj.full_name else obj.email


class WalkInForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("Email (optional)"), required=False)
    company_name = forms.CharField(label=_("Company"), max_length=200, required=False)
    host = HostChoiceField(label=_("Host"), queryset=Employee.objects.none())
    entrance = EntranceChoiceField(label=_("Entrance"), queryset=Entrance.objects.none(), required=False)

    def __init__(self, *args, hosts, entrances, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["host"].queryset = hosts
        self.fields["host"].empty_label = _("Choose the employee they visit")
        self.fields["entrance"].queryset = entrances
        self.fields["entrance"].empty_label = _("No particular entrance")

    # The engine's paths for the fields it judges, as the form names them.
    ENGINE_PATHS = {
        ("host", "email"): "host",
        ("host",): "host",
        ("entrance_id",): "entrance",
        ("invitations", 0, "email"): "email",
        ("invitations", 0, "first_name"): "first_name",
        ("invitations", 0, "last_name"): "last_name",
        ("invitations", 0, "company_name"): "company_name",
    }

    def add_engine_errors(self, errors) -> None:
        # The visit's name is made from the guest's: its errors repeat theirs, unless it is alone.
        derived = [e for e in errors if tuple(e.path) == ("name",)]
        shown = [e for e in errors if tuple(e.path) != ("name",)] or derived
        for error in shown:
            self.add_error(self.ENGINE_PATHS.get(tuple(error.path)), str(error.message))
