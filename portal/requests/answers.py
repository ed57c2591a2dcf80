"""A request type's form, as a Django form built from one `FormVersion`: every answer is validated against the
version it is submitted to (types, required, choices; files by `portal.files` in the service), with an error per
field. Answers are stored as JSON under each field's stable key."""

import datetime
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from portal.requests.models import FieldKind

SUBJECT = "subject"
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
# The optional choice of the project a request is about: a name no field key can take (KEY_PATTERN has no "-"),
# so a type's own "Project" question never collides with it.
PROJECT_FIELD = "about-project"


def new_key(label: str, taken: set[str]) -> str:
    """A stable key for a new field, from its label (kept when the label changes later)."""
    base = (slugify(label).replace("-", "_") or "field")[:50]
    if not base[0].isalpha():
        base = f"f_{base}"[:50]
    key, counter = base, 2
    while key in taken or key == SUBJECT:
        key, counter = f"{base}_{counter}", counter + 1
    return key


def _choices(field: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [(choice, choice) for choice in field.get("choices", [])]


def form_field(field: Mapping[str, Any]) -> forms.Field:
    """The Django form field of one definition."""
    common: dict[str, Any] = {
        "label": field["label"],
        "required": bool(field.get("required")),
        "help_text": field.get("help", ""),
    }
    kind = field["kind"]
    if kind == FieldKind.SHORT_TEXT:
        return forms.CharField(max_length=200, **common)
    if kind == FieldKind.LONG_TEXT:
        return forms.CharField(max_length=10_000, widget=forms.Textarea(attrs={"rows": 5}), **common)
    if kind == FieldKind.NUMBER:
        return forms.DecimalField(max_digits=15, decimal_places=2, **common)
    if kind == FieldKind.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == FieldKind.CHOICE:
        return forms.ChoiceField(choices=[("", "—"), *_choices(field)], **common)
    if kind == FieldKind.MULTIPLE_CHOICE:
        return forms.MultipleChoiceField(choices=_choices(field), widget=forms.CheckboxSelectMultiple, **common)
    if kind == FieldKind.CHECKBOX:
        return forms.BooleanField(**common)
    if kind == FieldKind.FILE:
        return forms.FileField(**common)
    if kind == FieldKind.EMAIL:
        return forms.EmailField(**common)
    if kind == FieldKind.URL:
        return forms.URLField(assume_scheme="https", **common)
    raise ValueError(f"unknown field kind {kind!r}")


class ProjectChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class AnswersForm(forms.Form):
    """The subject, the project it is about when there are projects to choose from, then the fields of the
    version, in its order."""

    subject = forms.CharField(label=_("Subject"), max_length=200, help_text=_("A short summary of the request."))

    def __init__(
        self, *args: Any, definition: Sequence[Mapping[str, Any]], projects: QuerySet[Any] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if projects is not None:
            self.fields[PROJECT_FIELD] = ProjectChoiceField(
                label=_("Project"), queryset=projects, required=False, empty_label=_("No particular project"),
                help_text=_("Optional: the project this request is about."),
            )  # fmt: skip
        self.definition = list(definition)
        for field in self.definition:
            self.fields[field["key"]] = form_field(field)

    def answers(self) -> dict[str, Any]:
        """The cleaned answers as JSON values (files aside: the service stores them)."""
        stored: dict[str, Any] = {}
        for field in self.definition:
            value = self.cleaned_data.get(field["key"])
            if field["kind"] == FieldKind.FILE:
                continue
            stored[field["key"]] = as_json(value)
        return stored

    def files_answered(self) -> dict[str, Any]:
        return {
            field["key"]: self.cleaned_data[field["key"]]
            for field in self.definition
            if field["kind"] == FieldKind.FILE and self.cleaned_data.get(field["key"])
        }


def as_json(value: Any) -> Any:
    if isinstance(value, Decimal):
        # Plain digits as typed, a whole number without ".00" (`normalize()` would give "1.2E+3" for 1200).
        return format(value.to_integral_value() if value == value.to_integral_value() else value, "f")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if value is None:
        return ""
    return value


def _readable(field: Mapping[str, Any], answers: Mapping[str, Any]) -> Any:
    """A stored answer as the page shows it: dates as dates (the template words them), the rest as stored."""
    value = answers.get(field["key"], "")
    if field["kind"] == FieldKind.DATE and isinstance(value, str) and value:
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def shown(definition: Sequence[Mapping[str, Any]], answers: Mapping[str, Any]) -> list[dict[str, Any]]:
    """What a request's page lists: each field of its own version with its answer, then any answer stored under a
    key the version does not define (never lost, shown under its key)."""
    rows = [
        {"key": field["key"], "label": field["label"], "kind": field["kind"], "value": _readable(field, answers)}
        for field in definition
    ]
    known = {field["key"] for field in definition}
    rows += [
        {"key": key, "label": key, "kind": FieldKind.SHORT_TEXT, "value": value}
        for key, value in answers.items()
        if key not in known
    ]
    return rows
