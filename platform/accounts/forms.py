"""Form fields shared by every form that asks for a person's display name."""

from typing import Any

from django import forms

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
