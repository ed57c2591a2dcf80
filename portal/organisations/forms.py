from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import name_field
from accounts.models import User
from portal.access.capabilities import REGISTRY
from portal.access.models import Role


def staff_users() -> Any:
    return User.objects.filter(staff__isnull=False, is_active=True).order_by("full_name", "email")


class ClientOrgForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    account_manager = forms.ModelChoiceField(label=_("Account manager"), queryset=User.objects.none())
    team = forms.ModelMultipleChoiceField(
        label=_("Other staff assigned"), queryset=User.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    notes = forms.CharField(
        label=_("Internal notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Visible to staff only."),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account_manager"].queryset = staff_users()  # type: ignore[attr-defined]
        self.fields["team"].queryset = staff_users()  # type: ignore[attr-defined]


class InviteContactForm(forms.Form):
    full_name = name_field(_("Name"), required=False)
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ModelChoiceField(label=_("Role"), queryset=Role.objects.none(), empty_label=None)
    replace = forms.BooleanField(  # shown (a box to tick) once the address turns out to have a pending invitation
        label=_("Replace the pending invitation"), required=False, widget=forms.HiddenInput
    )
    replaces = forms.IntegerField(required=False, widget=forms.HiddenInput)  # the pending invitation shown

    def __init__(self, *args: Any, roles: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = roles  # type: ignore[attr-defined]
        self.fields["role"].initial = least_privileged(roles)


def least_privileged(roles: Any) -> Role | None:
    """The role an invitation starts from: the one with the fewest capabilities (the viewer, with the default
    roles), so inviting someone never grants more than the person inviting chose. Roles that grant nothing are
    passed over (an invitation into them opens nothing); ties go to the roles' own order."""
    granting = [role for role in roles if role.capabilities & frozenset(REGISTRY)]
    return min(granting, key=lambda role: len(role.capabilities & frozenset(REGISTRY)), default=None)


class ContactRoleForm(forms.Form):
    role = forms.ModelChoiceField(label=_("Role"), queryset=Role.objects.none(), empty_label=None)

    def __init__(self, *args: Any, roles: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = roles  # type: ignore[attr-defined]
