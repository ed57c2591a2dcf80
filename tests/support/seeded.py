"""The demo portal comes with weeks of history (`operators.demo_history`: documents, comments, invitations,
downloads, events), every row of it dated at least a few days back. A test that checks what it made, or that
nothing was made, looks at the recent rows only."""

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.db import models
from django.utils import timezone

M = TypeVar("M", bound=models.Model)
DATE_FIELDS = ("created_at", "uploaded_at", "at")


def since() -> datetime:
    """Newer than anything the demo's history holds."""
    return timezone.now() - timedelta(days=1)


def date_field(model: type[models.Model]) -> str:
    names = {field.name for field in model._meta.get_fields()}
    return next(name for name in DATE_FIELDS if name in names)


def recent(model: type[M]) -> "models.QuerySet[M]":
    """The rows of `model` made today: this test's, not the demo's history."""
    return model._default_manager.filter(**{f"{date_field(model)}__gte": since()})


def recent_only(rows: Iterable[Any]) -> list[Any]:
    """The items of a page's list (events, rows) made today."""
    return [row for row in rows if getattr(row, date_field(type(row))) >= since()]
