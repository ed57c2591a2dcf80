"""Approval turnaround: how long deliverables wait between submission and the client's decision, over a chosen
period (decisions made in it, the days from midnight to midnight in the portal's time zone), per client and for
the whole provider: the median and the 90th percentile, interpolated by PostgreSQL's `percentile_cont`, in hours
of the calendar (a client decides when they can, not in the provider's business hours)."""

import datetime
from dataclasses import dataclass
from typing import Any, cast

from django.db import connection
from django.db.models import Count, DurationField, ExpressionWrapper, F, FloatField, Func, Q, QuerySet

from core import periods
from core.aggregates import PercentileCont
from portal.access.policy import Actor, NotFound, client_orgs_for
from portal.clients.models import ClientOrg
from portal.engagements.models import Decision


@dataclass(frozen=True)
class Turnaround:
    label: str
    decisions: int
    p50_hours: float | None
    p90_hours: float | None


class Epoch(Func):
    """The seconds of an interval."""

    template = "EXTRACT(EPOCH FROM %(expressions)s)"
    output_field = FloatField()


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 1)


def _decisions(actor: Actor, since: datetime.date, until: datetime.date, org: ClientOrg | None) -> QuerySet[Decision]:
    """The decisions made in the period on the deliverables of the clients the actor reaches (or of `org`), each
    with the seconds it `waited`."""
    if not actor.is_staff:
        raise NotFound
    start, end = periods.bounds(since, until, connection.tenant.time_zone)  # type: ignore[attr-defined]
    reached = client_orgs_for(actor, include_archived=True)
    if org is not None:
        reached = reached.filter(pk=org.pk)
    return Decision.objects.filter(
        Q(submitted_at__isnull=False), decided_at__gte=start, decided_at__lt=end,
        deliverable__project__client_org__in=reached.values("pk"),
    ).annotate(
        waited=Epoch(ExpressionWrapper(F("decided_at") - F("submitted_at"), output_field=DurationField()))
    )  # fmt: skip


FIGURES: dict[str, Any] = {
    "count": Count("pk"),
    "p50": PercentileCont("waited", 0.5),
    "p90": PercentileCont("waited", 0.9),
}


def overall(actor: Actor, since: datetime.date, until: datetime.date, *, org: ClientOrg | None = None) -> Turnaround:
    """The provider's figure (or one client's): for the staff dashboard, one statement."""
    figures = _decisions(actor, since, until, org).order_by().aggregate(**FIGURES)
    return Turnaround("", figures["count"], _hours(figures["p50"]), _hours(figures["p90"]))


def turnaround(actor: Actor, since: datetime.date, until: datetime.date) -> tuple[Turnaround, list[Turnaround]]:
    """(the provider's, one per client), for the clients the actor reaches."""
    per_client = (
        _decisions(actor, since, until, None)
        .order_by()
        .values("deliverable__project__client_org__name")
        .annotate(**FIGURES)
        .order_by("deliverable__project__client_org__name")
    )
    rows = cast(list[dict[str, Any]], list(per_client))
    clients = [
        Turnaround(
            str(row["deliverable__project__client_org__name"]), row["count"], _hours(row["p50"]), _hours(row["p90"])
        )
        for row in rows
    ]
    return overall(actor, since, until), clients
