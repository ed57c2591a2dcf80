"""The one error type services raise for a person to read: forms turn it into a field error, commands into a
CommandError, JSON endpoints into an error body."""

from typing import Any


class DomainError(Exception):
    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def add_to_form(form: Any, error: DomainError) -> None:
    """Show the error on its field, or on the whole form when the field is not one of the form's."""
    form.add_error(error.field if error.field in form.fields else None, error.message)
