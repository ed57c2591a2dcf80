import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.access.policy import Actor, client_orgs_for
from portal.activity.events import EVENT_TYPES
from portal.webhooks.services import subscribable_types

REACH = [("all", _("Every client, those added later too")), ("chosen", _("Only the clients chosen below"))]
OVERLAPS = [("1", _("1 hour")), ("24", _("24 hours")), ("72", _("3 days")), ("168", _("7 days")), ("0", _("None"))]


class EndpointForm(forms.Form):
    url = forms.URLField(
        label=_("URL"), max_length=2048, assume_scheme="https",
        help_text=_("Where your system receives events: an https address reachable from the internet."),
    )  # fmt: skip
    description = forms.CharField(
        label=_("Description"), max_length=200, required=False, help_text=_("e.g. “ERP: requests and approvals”.")
    )
    event_types = forms.MultipleChoiceField(label=_("Events"), widget=forms.CheckboxSelectMultiple)
    reach = forms.ChoiceField(label=_("Clients"), choices=REACH, initial="all", widget=forms.RadioSelect)
    clients: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("Chosen clients"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    enabled = forms.BooleanField(
        label=_("Enabled"), required=False, initial=True, help_text=_("Switched off, it receives nothing.")
    )

    def __init__(self, *args: Any, actor: Actor, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clients"].queryset = client_orgs_for(actor).select_related(None)  # type: ignore[attr-defined]
        self.fields["event_types"].choices = [  # type: ignore[attr-defined]
            (code, f"{EVENT_TYPES[code].label} ({code})") for code in subscribable_types()
        ]
        if not editing:
            del self.fields["enabled"]


class RotateForm(forms.Form):
    overlap = forms.TypedChoiceField(
        label=_("Keep the current secret signing for"), choices=OVERLAPS, initial="24", coerce=int,
        help_text=_("Both secrets sign every delivery until then, so your system can switch without missing one."),
    )  # fmt: skip

    def overlap_delta(self) -> datetime.timedelta:
        return datetime.timedelta(hours=self.cleaned_data["overlap"])


class ReplayForm(forms.Form):
    since = forms.DateTimeField(label=_("From"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    until = forms.DateTimeField(label=_("Until"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since >= until:
            self.add_error("until", _("Choose an end after the start."))
        if until and until > timezone.now() + datetime.timedelta(minutes=1):
            cleaned["until"] = timezone.now()
        return cleaned
