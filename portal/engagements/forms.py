"""The engagement pages' forms; the rules are the services'."""

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from portal.engagements.models import ProjectStatus


class ProjectForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    status = forms.ChoiceField(label=_("Status"), choices=ProjectStatus.choices, initial=ProjectStatus.ACTIVE)
    start_date = forms.DateField(label=_("Start"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("Target end"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    budget_hours = forms.DecimalField(
        label=_("Budget (hours)"), required=False, min_value=Decimal("0.01"), max_digits=8, decimal_places=2
    )


class PhaseForm(forms.Form):
    name = forms.CharField(label=_("New phase"), max_length=120)


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=200)
    due_date = forms.DateField(label=_("Due"), widget=forms.DateInput(attrs={"type": "date"}))


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.email)


class TimeEntryForm(forms.Form):
    person = PersonChoiceField(label=_("Who"), queryset=None, empty_label=None)
    date = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.DecimalField(label=_("Hours"), min_value=0.25, max_value=24, max_digits=4, decimal_places=2)
    description = forms.CharField(label=_("What was done"), max_length=300, required=False)

    def __init__(self, *args: Any, staff: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = staff  # type: ignore[attr-defined]


class DeliverableForm(forms.Form):
    title = forms.CharField(label=_("Deliverable"), max_length=200)
    due_date = forms.DateField(label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class VersionForm(forms.Form):
    file = forms.FileField(label=_("File"))


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Your decision"), widget=forms.RadioSelect,
        choices=[("approved", _("Approve this version")), ("changes_requested", _("Request changes"))],
    )  # fmt: skip
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required when you request changes: say what should change."),
    )  # fmt: skip
