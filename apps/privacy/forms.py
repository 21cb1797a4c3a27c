from django import forms
from django.utils.translation import gettext_lazy as _

from apps.privacy.hashing import NotAnEmail, address_normalize


class AddressForm(forms.Form):
    email = forms.CharField(label=_("Email address"), max_length=254)

    def clean_email(self) -> str:
        try:
            return address_normalize(text=self.cleaned_data["email"])
        except NotAnEmail:
            raise forms.ValidationError(_("Enter a valid email address."), code="invalid") from None
