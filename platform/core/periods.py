"""A period of days people choose for figures (the request figures, the approval turnaround): the form, the
period it gives (the last 90 days when none or an invalid one is asked for), and its bounds as moments."""

import datetime
import zoneinfo
from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DEFAULT_DAYS = 90


class PeriodForm(forms.Form):
    since = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end of the period is before its start."))
        return data


def default() -> tuple[datetime.date, datetime.date]:
    """The last `DEFAULT_DAYS` days, today included."""
    today = timezone.localdate()
    return today - datetime.timedelta(days=DEFAULT_DAYS), today


def chosen(query: Mapping[str, Any]) -> tuple[PeriodForm, datetime.date, datetime.date]:
    """The form bound to the query (or to the default period), and the period to show: the one asked for when it
    is valid, else the last `DEFAULT_DAYS` days (the form then shows what was wrong)."""
    since, until = default()
    form = PeriodForm(query if "since" in query else {"since": since, "until": until})
    if form.is_valid():
        return form, form.cleaned_data["since"], form.cleaned_data["until"]
    return form, since, until


def bounds(since: datetime.date, until: datetime.date, zone: str) -> tuple[datetime.datetime, datetime.datetime]:
    """The period's days, from the first midnight to the midnight after the last, in the time zone `zone`."""
    tz = zoneinfo.ZoneInfo(zone)
    start = datetime.datetime.combine(since, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return start, end
