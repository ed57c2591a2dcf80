import zoneinfo
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.forms import name_field
from portal.access.capabilities import REGISTRY
from portal.access.models import StaffRole
from tenants.models import MfaPolicy

if TYPE_CHECKING:
    from portal.access.services import InvitationPending


class AcceptInvitationForm(forms.Form):
    full_name = name_field(_("Your name"))
    password = forms.CharField(label=_("Choose a password"), strip=False, widget=forms.PasswordInput)

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_password(self) -> str:
        password = str(self.cleaned_data["password"])
        try:
            validate_password(password)
        except ValidationError as error:
            raise ValidationError(error.messages) from None
        return password


class InviteStaffForm(forms.Form):
    full_name = name_field(_("Name"), required=False)
    email = forms.EmailField(label=_("E-mail address"))
    staff_role = forms.ChoiceField(label=_("Role"), choices=StaffRole.choices, initial=StaffRole.MEMBER)
    replace = forms.BooleanField(  # shown (a box to tick) once the address turns out to have a pending invitation
        label=_("Replace the pending invitation"), required=False, widget=forms.HiddenInput
    )
    replaces = forms.IntegerField(required=False, widget=forms.HiddenInput)  # the pending invitation shown


def ask_to_replace(form: forms.Form, error: "InvitationPending") -> None:
    """The address has a pending invitation: show what is pending, with a box to tick to replace it. The form
    carries that invitation's id, so a ticked box replaces only the invitation shown (change the address, and the
    question is asked again about the new one)."""
    data = form.data.copy()  # type: ignore[attr-defined]  # a bound form's QueryDict
    data["replaces"] = str(error.invitation.pk)
    data["replace"] = ""
    form.data = data
    form.fields["replace"].widget = forms.CheckboxInput()
    form.add_error("replace", error.message)


def invitation_arguments(form: forms.Form) -> dict[str, Any]:
    """The form's answers as `invitation_create` takes them: `replaces` only when the box was ticked."""
    data = dict(form.cleaned_data)
    confirmed = data.pop("replaces") if data.pop("replace") else None
    return {**data, "replaces": confirmed}


class StaffRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=StaffRole.choices)


class RoleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    capabilities = forms.MultipleChoiceField(
        label=_("What people with this role may do"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["capabilities"].choices = [(code, cap.label) for code, cap in REGISTRY.items()]  # type: ignore[attr-defined]


class ProfileForm(forms.Form):
    full_name = name_field(_("Your name"))


class SecurityForm(forms.Form):
    mfa_policy = forms.ChoiceField(label=_("Two-factor authentication"), choices=MfaPolicy.choices)
    unscanned_files = forms.ChoiceField(
        label=_("Files too large for the virus scanner"),
        choices=[("reject", _("Refuse them")), ("flag", _("Accept them, flagged as not scanned"))],
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"), choices=[(zone, zone) for zone in sorted(zoneinfo.available_timezones())]
    )
    digest_hour = forms.TypedChoiceField(
        label=_("Send the daily digest at"), coerce=int, choices=[(hour, f"{hour:02d}:00") for hour in range(24)]
    )
