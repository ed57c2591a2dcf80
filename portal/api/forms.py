from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.access.policy import Actor, client_orgs_for
from portal.api.models import API_FAMILIES, FAMILY_LABELS

ACCESS = [("", _("No access")), ("read", _("Read")), ("write", _("Read and write"))]
REACH = [("all", _("Every client, those added later too")), ("chosen", _("Only the clients chosen below"))]


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("The system that will use it, e.g. “ERP sync”.")
    )
    reach = forms.ChoiceField(label=_("Clients it reaches"), choices=REACH, initial="all", widget=forms.RadioSelect)
    clients: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("Clients"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    expires_on = forms.DateField(
        label=_("Expires on"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Optional: the key stops working at the start of this day."),
    )  # fmt: skip

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clients"].queryset = client_orgs_for(actor).select_related(None)  # type: ignore[attr-defined]
        for family in API_FAMILIES:
            self.fields[f"access_{family}"] = forms.ChoiceField(
                label=FAMILY_LABELS[family], choices=ACCESS, required=False
            )

    def access_fields(self) -> list[forms.BoundField]:
        return [self[f"access_{family}"] for family in API_FAMILIES]

    def clean_expires_on(self) -> Any:
        day = self.cleaned_data.get("expires_on")
        if day is not None and day <= timezone.localdate():
            raise forms.ValidationError(_("Choose a day after today."))
        return day

    def scopes(self) -> list[str]:
        chosen = []
        for family in API_FAMILIES:
            access = self.cleaned_data.get(f"access_{family}")
            if access:
                chosen.append(f"{family}:read")
            if access == "write":
                chosen.append(f"{family}:write")
        return chosen
