import zoneinfo
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.html import format_html
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


class CheckboxSelectMultipleWidget(forms.CheckboxSelectMultiple):
    """Checkboxes whose options each say what they mean: the description sits under the option's name and is
    tied to its box by `aria-describedby` (hidden from the label's text, so it is read once, as a description).

    Named so that its `widget_type` stays "checkboxselectmultiple" (Django drops a trailing "Widget"), which is
    what <c-field> renders as a fieldset with its legend above the options."""

    def __init__(self, *args: Any, descriptions: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.descriptions = descriptions or {}

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        description = self.descriptions.get(option["value"])
        if description and option["attrs"].get("id"):
            help_id = f"{option['attrs']['id']}_description"
            option["attrs"]["aria-describedby"] = help_id
            option["label"] = format_html(
                '<span>{}<span class="choice-help" id="{}" aria-hidden="true">{}</span></span>',
                option["label"], help_id, description,
            )  # fmt: skip
        return option


class RoleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    capabilities = forms.MultipleChoiceField(
        label=_("What people with this role may do"),
        help_text=_("Tick what contacts with this role may do in their own organisation."),
        required=False,
        widget=CheckboxSelectMultipleWidget,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["capabilities"]
        field.choices = [(code, capability.label) for code, capability in REGISTRY.items()]  # type: ignore[attr-defined]
        field.widget.descriptions = {code: capability.description for code, capability in REGISTRY.items()}


class ProfileForm(forms.Form):
    full_name = name_field(_("Your name"))


class SecurityForm(forms.Form):
    mfa_policy = forms.ChoiceField(
        label=_("Two-factor authentication"),
        choices=MfaPolicy.choices,
        help_text=_("Whoever it is required of sets up an authenticator app or a passkey at their next sign-in."),
    )
    unscanned_files = forms.ChoiceField(
        label=_("Files too large for the virus scanner"),
        choices=[("reject", _("Refuse them")), ("flag", _("Accept them, flagged as not scanned"))],
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=[(zone, zone) for zone in sorted(zoneinfo.available_timezones())],
        help_text=_("The portal's times and the daily digest follow it."),
    )
    digest_hour = forms.TypedChoiceField(
        label=_("Send the daily digest at"), coerce=int, choices=[(hour, f"{hour:02d}:00") for hour in range(24)]
    )
