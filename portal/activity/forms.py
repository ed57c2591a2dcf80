from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from portal.activity.events import EVENT_TYPES
from portal.activity.models import Frequency


class PreferencesForm(forms.Form):
    """One choice per event type the person can receive: a group of radio buttons each."""

    def __init__(self, *args: Any, event_types: list[str], initial_frequencies: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code in event_types:
            self.fields[code] = forms.ChoiceField(
                label=str(EVENT_TYPES[code].label), choices=Frequency.choices, initial=initial_frequencies[code],
                widget=forms.RadioSelect,
            )  # fmt: skip


class AuditFilterForm(forms.Form):
    person = forms.ModelChoiceField(
        label=_("Person"), queryset=User.objects.none(), required=False, empty_label=_("Anyone")
    )
    verb = forms.ChoiceField(label=_("Type"), required=False)
    client = forms.IntegerField(label=_("Client"), required=False, widget=forms.Select)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, clients: list[tuple[int, str]], people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people  # type: ignore[attr-defined]
        self.fields["verb"].choices = [("", _("All"))] + [(code, t.label) for code, t in EVENT_TYPES.items()]  # type: ignore[attr-defined]
        self.fields["client"].widget.choices = [("", _("All")), *clients]
