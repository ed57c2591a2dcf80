"""What the dashboards read of the engagements, through `portal.access`: each function is one SQL statement, whatever
the number of projects (their phases, milestones, deliverables and hours are correlated subqueries of that
statement, and the total before the limit a window count), so a client with 200 projects costs what one with 5
does.

A contact sees their organisation's projects under way (with `projects.view`; the hours with `time.view`) and
their upcoming deadlines; staff see, across the clients they reach or the one they chose, the overdue milestones,
the deliverables waiting for a decision and the budget burn."""

import datetime
from decimal import Decimal
from typing import Any

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import (
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Coalesce

from portal.access.policy import Actor, client_orgs_for, may
from portal.clients.models import ClientOrg
from portal.engagements.models import Deliverable, DeliverableState, Milestone, Phase, Project, ProjectStatus
from portal.engagements.selectors import STATUS_ORDER, hours_used

UNDER_WAY = [ProjectStatus.ACTIVE, ProjectStatus.ON_HOLD, ProjectStatus.PLANNED]
# How far ahead the client dashboard lists deadlines (overdue ones are always listed).
HORIZON_DAYS = 30


def burn(used: Decimal, budget: Decimal | None) -> dict[str, object]:
    """Hours used against the budget, for the bar and its words."""
    if not budget:
        return {"used": used, "budget": None, "percent": None, "over": False}
    percent = int(used * 100 / budget)
    return {"used": used, "budget": budget, "percent": percent, "width": min(percent, 100), "over": used > budget}


def _count(rows: QuerySet[Any]) -> Coalesce:
    """How many of the project's `rows` there are, as a subquery of the project's statement."""
    counted = rows.order_by().values("project").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def project_summaries(actor: Actor, org: ClientOrg, *, limit: int) -> list[Project]:
    """The organisation's projects under way, active first, each with: its phases' names and positions in order
    (`phase_names`, `phase_positions`) and
    the current phase, its milestones (`milestones_total`, `milestones_reached`, the next one's title and due date),
    its deliverables the client sees (`deliverables_total`, `_approved`, `_waiting`), its hours used, and `total`:
    how many projects under way there are beyond the `limit` shown."""
    if not may(actor, "projects.view", org):
        return []
    project = OuterRef("pk")
    phases = Phase.objects.filter(project=project).order_by().values("project")
    milestones = Milestone.objects.filter(project=project)
    open_milestones = milestones.filter(completed_at__isnull=True).order_by("due_date", "pk")
    shown = Deliverable.objects.filter(project=project).exclude(state=DeliverableState.DRAFT)
    summaries = (
        Project.objects.filter(client_org=org, status__in=UNDER_WAY)
        .select_related("current_phase")
        .annotate(
            phase_names=Subquery(phases.annotate(names=ArrayAgg("name", order_by="position")).values("names")),
            phase_positions=Subquery(phases.annotate(at=ArrayAgg("position", order_by="position")).values("at")),
            milestones_total=_count(milestones),
            milestones_reached=_count(milestones.filter(completed_at__isnull=False)),
            next_milestone=Subquery(open_milestones.values("title")[:1]),
            next_milestone_due=Subquery(open_milestones.values("due_date")[:1]),
            deliverables_total=_count(shown),
            deliverables_approved=_count(shown.filter(state=DeliverableState.APPROVED)),
            deliverables_waiting=_count(shown.filter(state=DeliverableState.SUBMITTED)),
            hours_used=hours_used(),
            total=Window(Count("pk")),
            rank=STATUS_ORDER,
        )
        .order_by("rank", "end_date", "name")
    )
    return list(summaries[:limit])


def deadlines(actor: Actor, org: ClientOrg, today: datetime.date, *, limit: int) -> list[dict[str, Any]]:
    """The organisation's milestones not reached and deliverables not approved that are overdue or due within
    `HORIZON_DAYS`, soonest first: one statement (a UNION of the two)."""
    if not may(actor, "projects.view", org):
        return []
    horizon = today + datetime.timedelta(days=HORIZON_DAYS)
    fields = ("kind", "pk", "title", "due_date", "project_id", "project__name")
    milestones = (
        Milestone.objects.filter(
            project__client_org=org, project__status__in=UNDER_WAY, completed_at__isnull=True, due_date__lte=horizon
        )
        .annotate(kind=Value("milestone"))
        .values(*fields)
    )
    deliverables = (
        Deliverable.objects.filter(project__client_org=org, project__status__in=UNDER_WAY, due_date__lte=horizon)
        .exclude(state__in=[DeliverableState.DRAFT, DeliverableState.APPROVED])
        .annotate(kind=Value("deliverable"))
        .values(*fields)
    )
    rows = list(milestones.order_by().union(deliverables.order_by(), all=True).order_by("due_date", "title")[:limit])
    for row in rows:
        row["overdue"] = row["due_date"] < today
    return rows


# --- staff ---------------------------------------------------------------------------------------------------------


def _reached(actor: Actor, org: ClientOrg | None) -> Q:
    """The projects of the chosen client, or of every client the member of staff reaches (a subquery)."""
    if org is not None:
        return Q(client_org=org)
    return Q(client_org__in=client_orgs_for(actor).values("pk"))


def overdue_milestones(actor: Actor, org: ClientOrg | None, today: datetime.date, *, limit: int) -> list[Milestone]:
    """Milestones past their due date and not reached, on projects under way, most overdue first; `total` on each."""
    if not actor.is_staff:
        return []
    overdue = Milestone.objects.filter(
        Q(project__in=Project.objects.filter(_reached(actor, org), status__in=UNDER_WAY)),
        completed_at__isnull=True, due_date__lt=today,
    )  # fmt: skip
    overdue = overdue.select_related("project", "project__client_org").annotate(total=Window(Count("pk")))
    return list(overdue.order_by("due_date", "pk")[:limit])


def pending_approvals(actor: Actor, org: ClientOrg | None, *, limit: int) -> list[Deliverable]:
    """Deliverables submitted and waiting for the client's decision, longest waiting first; `total` on each."""
    if not actor.is_staff:
        return []
    waiting = Deliverable.objects.filter(
        project__in=Project.objects.filter(_reached(actor, org)), state=DeliverableState.SUBMITTED
    )
    waiting = waiting.select_related("project", "project__client_org").annotate(total=Window(Count("pk")))
    return list(waiting.order_by("submitted_at", "pk")[:limit])


def budget_burn(actor: Actor, org: ClientOrg | None, *, limit: int) -> list[Project]:
    """Projects under way with a budget in hours, the most consumed first (`burned`: used / budget)."""
    if not actor.is_staff:
        return []
    projects = (
        Project.objects.filter(_reached(actor, org), status__in=UNDER_WAY, budget_hours__isnull=False)
        .select_related("client_org")
        .annotate(hours_used=hours_used())
        .annotate(
            burned=ExpressionWrapper(F("hours_used") * 1.0 / F("budget_hours"), output_field=FloatField()),
            total=Window(Count("pk")),
        )
    )
    return list(projects.order_by("-burned", "name")[:limit])
