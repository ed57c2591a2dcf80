"""Form fields shared by every form that asks for a person's display name, and allauth's forms as Portico uses
them (settings.ACCOUNT_FORMS, MFA_FORMS)."""

from typing import Any

from allauth.account import forms as allauth_forms
from allauth.mfa.recovery_codes.forms import GenerateRecoveryCodesForm as GenerateRecoveryCodesFormBase
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import NAME_MAX_LENGTH, no_control_characters


def name_field(label: Any, *, required: bool = True) -> forms.CharField:
    """A display name: the browser stops at NAME_MAX_LENGTH, the validator says why anything is refused (one
    message for a name that is too long, not Django's and ours)."""
    return forms.CharField(
        label=label,
        required=required,
        validators=[no_control_characters],
        widget=forms.TextInput(attrs={"maxlength": NAME_MAX_LENGTH, "autocomplete": "name"}),
    )


class LoginForm(allauth_forms.LoginForm):
    """allauth's sign-in form, announcing a refusal: a wrong password is an error of the form as a whole (it
    does not say which field is wrong), so both fields are marked `aria-invalid` along with the error summary."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "remember" in self.fields:
            self.fields["remember"].label = _("Keep me signed in on this device")

    def full_clean(self) -> None:
        super().full_clean()
        if self.non_field_errors():
            for name in ("login", "password"):
                if name in self.fields:
                    self.fields[name].widget.attrs["aria-invalid"] = "true"


class GenerateRecoveryCodesForm(GenerateRecoveryCodesFormBase):
    """allauth's "generate new recovery codes", which replaces the codes in use, acts only on a confirmed POST
    (`confirmed=1`, sent by the confirmation dialog or by the page that asks). Any other POST is not valid and
    allauth shows that page, asking, without an error: nothing went wrong, the question was not answered yet."""

    confirmed = forms.CharField(required=False, widget=forms.HiddenInput)

    def is_valid(self) -> bool:
        return super().is_valid() and self.cleaned_data.get("confirmed") == "1"
