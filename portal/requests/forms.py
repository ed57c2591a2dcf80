"""The requests pages' forms (the answers' form is built from a form version: `answers.AnswersForm`). They only
describe fields; the rules are the services'."""

import zoneinfo
from itertools import groupby
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from portal.clients.models import ClientOrg
from portal.engagements.models import Project
from portal.requests.answers import ProjectChoiceField
from portal.requests.business_hours import countries
from portal.requests.models import Assignment, FieldKind, RequestType, ServiceHours, Status
from portal.requests.selectors import SORTS

WEEKDAYS = [
    (0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")), (4, _("Friday")),
    (5, _("Saturday")), (6, _("Sunday")),
]  # fmt: skip
SORT_LABELS = {
    "due": _("Due soonest"),
    "newest": _("Newest first"),
    "oldest": _("Oldest first"),
    "updated": _("Recently updated"),
}


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.email)


def project_groups(projects: QuerySet[Project], empty: Any) -> list[tuple[Any, Any]]:
    """A select's choices: the projects under their client's name (the queryset is ordered by client)."""
    groups = groupby(projects, key=lambda project: project.client_org.name)
    return [("", empty), *((client, [(project.pk, project.name) for project in rows]) for client, rows in groups)]


class RequestTypeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to clients when they choose what to ask for."),
    )  # fmt: skip
    all_clients = forms.BooleanField(label=_("Every client may use it"), required=False, initial=True)
    client_orgs = forms.ModelMultipleChoiceField(
        label=_("Clients who may use it"), queryset=ClientOrg.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("Used when not every client may use it."),
    )  # fmt: skip
    assign_to = forms.ChoiceField(label=_("Assign new requests to"), choices=Assignment.choices)
    default_assignee = PersonChoiceField(
        label=_("Member of staff"), queryset=None, required=False,
        help_text=_("When new requests go to a chosen member of staff. Routing rules are tried first."),
    )  # fmt: skip
    first_response_hours = forms.IntegerField(
        label=_("First response within (business hours)"), required=False, min_value=1, max_value=10_000
    )
    resolution_hours = forms.IntegerField(
        label=_("Resolution within (business hours)"), required=False, min_value=1, max_value=100_000,
        help_text=_("Time waiting on the client does not count."),
    )  # fmt: skip

    def __init__(self, *args: Any, clients: QuerySet[ClientOrg], staff: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client_orgs"].queryset = clients  # type: ignore[attr-defined]
        self.fields["default_assignee"].queryset = staff  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(request_type: RequestType) -> dict[str, Any]:
        return {
            "name": request_type.name, "description": request_type.description,
            "all_clients": request_type.all_clients, "client_orgs": list(request_type.client_orgs.all()),
            "assign_to": request_type.assign_to, "default_assignee": request_type.default_assignee,
            "first_response_hours": request_type.first_response_hours,
            "resolution_hours": request_type.resolution_hours,
        }  # fmt: skip


class FieldDefinitionForm(forms.Form):
    """One field of the form being designed (a row of the field editor; rows are ordered by drag and drop or by
    their buttons, which rewrite `ORDER`)."""

    key = forms.CharField(required=False, widget=forms.HiddenInput, max_length=60)
    label = forms.CharField(label=_("Question"), max_length=120, required=False)
    kind = forms.ChoiceField(label=_("Type"), choices=FieldKind.choices, initial=FieldKind.SHORT_TEXT)
    required = forms.BooleanField(label=_("Required"), required=False)
    help = forms.CharField(label=_("Help text"), max_length=300, required=False)
    choices = forms.CharField(
        label=_("Choices"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For choice fields: one per line."),
    )  # fmt: skip

    def definition(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if not data or not data.get("label") or data.get("DELETE"):
            return None
        choices = [line.strip() for line in data.get("choices", "").splitlines() if line.strip()]
        return {
            "key": data.get("key", ""), "label": data["label"], "kind": data["kind"],
            "required": data.get("required", False), "help": data.get("help", ""), "choices": choices,
        }  # fmt: skip


FieldFormSet = forms.formset_factory(FieldDefinitionForm, extra=2, can_order=True, can_delete=True, max_num=60)


def field_initial(definition: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {**field, "choices": "\n".join(field.get("choices", [])), "ORDER": position}
        for position, field in enumerate(definition, start=1)
    ]


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("open", _("Open")), ("", _("Any status")), *Status.choices]
    )
    type = forms.TypedChoiceField(label=_("Type"), required=False, coerce=int, empty_value=None)
    client = forms.TypedChoiceField(label=_("Client"), required=False, coerce=int, empty_value=None)
    project = forms.TypedChoiceField(label=_("Project"), required=False, coerce=int, empty_value=None)
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=[(key, SORT_LABELS[key]) for key in SORTS])

    def __init__(
        self,
        *args: Any,
        types: QuerySet[RequestType],
        clients: QuerySet[ClientOrg],
        staff: QuerySet[Any],
        projects: QuerySet[Project],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].choices = project_groups(projects, _("Any project"))  # type: ignore[attr-defined]
        self.fields["type"].choices = [("", _("Any type")), *((t.pk, t.name) for t in types)]  # type: ignore[attr-defined]
        self.fields["client"].choices = [("", _("Any client")), *((c.pk, c.name) for c in clients)]  # type: ignore[attr-defined]
        people = [(str(person.pk), person.get_full_name() or person.email) for person in staff]
        self.fields["assignee"].choices = [("", _("Anyone")), ("me", _("Me")), ("none", _("Nobody")), *people]  # type: ignore[attr-defined]


class RequestProjectForm(forms.Form):
    """Staff's choice of the project a request is about, among its client's."""

    project = ProjectChoiceField(label=_("Project"), queryset=None, required=False, empty_label=_("No project"))

    def __init__(self, *args: Any, projects: QuerySet[Project], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects  # type: ignore[attr-defined]


class AssignForm(forms.Form):
    assignee = PersonChoiceField(label=_("Assignee"), queryset=None, required=False, empty_label=_("Nobody"))

    def __init__(self, *args: Any, staff: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff  # type: ignore[attr-defined]


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How satisfied are you with how this request was handled?"), coerce=int,
        choices=[(5, _("5 · Very satisfied")), (4, _("4 · Satisfied")), (3, _("3 · Neutral")),
                 (2, _("2 · Dissatisfied")), (1, _("1 · Very dissatisfied"))],
        widget=forms.RadioSelect,
    )  # fmt: skip
    comment = forms.CharField(
        label=_("Anything to add? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RoutingRuleForm(forms.Form):
    request_type = forms.ModelChoiceField(
        label=_("Request type"), queryset=RequestType.objects.none(), required=False, empty_label=_("Any type")
    )
    client_org = forms.ModelChoiceField(
        label=_("Client"), queryset=ClientOrg.objects.none(), required=False, empty_label=_("Any client")
    )
    project = ProjectChoiceField(
        label=_("Project"), queryset=Project.objects.none(), required=False,
        help_text=_("Optional: requests about this project only (one of the chosen client's)."),
    )  # fmt: skip
    field_key = forms.CharField(
        label=_("Answer to (field key)"), required=False, max_length=60,
        help_text=_("Optional: the key of a field of the chosen type's form, shown on the type's page."),
    )  # fmt: skip
    value = forms.CharField(label=_("Is"), required=False, max_length=200)
    assignee = PersonChoiceField(label=_("Assign to"), queryset=None)

    def __init__(
        self,
        *args: Any,
        types: QuerySet[RequestType],
        clients: QuerySet[ClientOrg],
        staff: QuerySet[Any],
        projects: QuerySet[Project],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["request_type"].queryset = types  # type: ignore[attr-defined]
        self.fields["client_org"].queryset = clients  # type: ignore[attr-defined]
        self.fields["project"].queryset = projects  # type: ignore[attr-defined]
        # Shown under their client's name; what is accepted is still the queryset.
        self.fields["project"].widget.choices = project_groups(projects, _("Any project"))
        self.fields["assignee"].queryset = staff  # type: ignore[attr-defined]


class ServiceHoursForm(forms.ModelForm):
    working_days = forms.TypedMultipleChoiceField(
        label=_("Working days"), choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    time_zone = forms.ChoiceField(label=_("Time zone"))
    country = forms.ChoiceField(label=_("Country for public holidays"), required=False)

    class Meta:
        model = ServiceHours
        fields = ["time_zone", "working_days", "opens", "closes", "calendar_hours", "country", "reopen_days",
                  "remind_before_hours"]  # fmt: skip
        widgets = {"opens": forms.TimeInput(attrs={"type": "time"}), "closes": forms.TimeInput(attrs={"type": "time"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [(zone, zone) for zone in sorted(zoneinfo.available_timezones())]  # type: ignore[attr-defined]
        self.fields["country"].choices = [("", _("None")), *countries()]  # type: ignore[attr-defined]


class HolidayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(label=_("Name"), max_length=120)


class HolidayImportForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
