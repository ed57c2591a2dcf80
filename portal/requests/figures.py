"""Service figures for staff, over a chosen period: first-response and resolution times (median and 90th
percentile, interpolated by PostgreSQL's `percentile_cont`, in business hours) per request type and per client,
and satisfaction (CSAT: the share of ratings of 4 or 5, with the average score) per type, client and assignee.

Which requests count: first responses made in the period, resolutions made in the period (a reopened request
counts at its latest resolution), ratings given in the period, the days running from midnight to midnight in the
portal's business-hours time zone; only the requests of clients the person reaches."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, F, Q, QuerySet

from core import periods
from core.aggregates import PercentileCont
from portal.access.policy import Actor, NotFound
from portal.requests.models import ClientRequest, Rating
from portal.requests.selectors import requests_for


@dataclass(frozen=True)
class TimeRow:
    key: Any
    label: str
    responded: int
    response_p50: float | None  # business hours
    response_p90: float | None
    resolved: int
    resolution_p50: float | None
    resolution_p90: float | None


@dataclass(frozen=True)
class SatisfactionRow:
    key: Any
    label: str
    ratings: int
    average: float | None
    csat: float | None  # percent of ratings of 4 or 5


GROUPS = {
    "type": ("request_type_id", "request_type__name"),
    "client": ("client_org_id", "client_org__name"),
    "assignee": ("assignee_id", "assignee__full_name"),
}


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 1)


def _bounds(since: datetime.date, until: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The period's days, from midnight to midnight in the portal's business-hours time zone."""
    from portal.requests.selectors import service_hours

    return periods.bounds(since, until, service_hours().time_zone)


def _reached(actor: Actor) -> QuerySet[ClientRequest]:
    if not actor.is_staff:
        raise NotFound
    return requests_for(actor).select_related(None).order_by()


def times(actor: Actor, since: datetime.date, until: datetime.date, by: str) -> list[TimeRow]:
    """Per `by` ("type" or "client"): how many first responses and resolutions fell in the period, with the
    median and 90th percentile of their business hours."""
    key, label = GROUPS[by]
    start, end = _bounds(since, until)
    responded = Q(first_response_at__gte=start, first_response_at__lt=end, first_response_seconds__isnull=False)
    resolved = Q(resolved_at__gte=start, resolved_at__lt=end, resolution_seconds__isnull=False)
    rows = (
        _reached(actor)
        .filter(responded | resolved)
        .values(key, label)
        .annotate(
            responded=Count("pk", filter=responded),
            response_p50=PercentileCont("first_response_seconds", 0.5, filter=responded),
            response_p90=PercentileCont("first_response_seconds", 0.9, filter=responded),
            resolved=Count("pk", filter=resolved),
            resolution_p50=PercentileCont("resolution_seconds", 0.5, filter=resolved),
            resolution_p90=PercentileCont("resolution_seconds", 0.9, filter=resolved),
        )
        .order_by(label)
    )
    return [
        TimeRow(
            row[key],
            str(row[label]),
            row["responded"],
            _hours(row["response_p50"]),
            _hours(row["response_p90"]),
            row["resolved"],
            _hours(row["resolution_p50"]),
            _hours(row["resolution_p90"]),
        )
        for row in rows
    ]


def satisfaction(actor: Actor, since: datetime.date, until: datetime.date, by: str) -> list[SatisfactionRow]:
    """Per `by` ("type", "client" or "assignee"): ratings given in the period, their average and the CSAT."""
    key, label = GROUPS[by]
    start, end = _bounds(since, until)
    ratings = Rating.objects.filter(request__in=_reached(actor).values("pk"), created_at__gte=start, created_at__lt=end)
    rows = (
        ratings.values(group=F(f"request__{key}"), name=F(f"request__{label}"))
        .annotate(count=Count("pk"), average=Avg("score"), satisfied=Count("pk", filter=Q(score__gte=4)))
        .order_by("name")
    )
    return [
        SatisfactionRow(
            row["group"],
            str(row["name"] or "—"),
            row["count"],
            round(row["average"], 2) if row["average"] is not None else None,
            round(100 * row["satisfied"] / row["count"], 1) if row["count"] else None,
        )
        for row in rows
    ]
