"""Reading engagements for a person, through `portal.access`: staff see the projects of the clients they reach; a
contact their organisation's projects with `projects.view`, and the hours spent with `time.view`."""

from decimal import Decimal
from typing import Any

from django.db.models import Case, DecimalField, OuterRef, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from portal.access.policy import Actor, NotFound, client_orgs_for, may
from portal.clients.models import ClientOrg
from portal.engagements.models import Milestone, Phase, Project, ProjectStatus, TimeEntry

HOURS = DecimalField(max_digits=10, decimal_places=2)
# Lists show the projects under way first, then those paused, planned, and done.
STATUS_ORDER = Case(
    *(
        When(status=status, then=Value(rank))
        for rank, status in enumerate(
            [ProjectStatus.ACTIVE, ProjectStatus.ON_HOLD, ProjectStatus.PLANNED, ProjectStatus.COMPLETED]
        )
    ),
    default=Value(9),
)


def hours_used() -> Coalesce:
    """The hours logged on the project (a subquery: no join that would multiply other rows)."""
    logged = TimeEntry.objects.filter(project=OuterRef("pk")).order_by().values("project").annotate(total=Sum("hours"))
    return Coalesce(Subquery(logged.values("total"), output_field=HOURS), Value(Decimal(0)), output_field=HOURS)


def projects_for(actor: Actor, org: ClientOrg) -> QuerySet[Project]:
    """The organisation's projects, with their current phase and the hours used."""
    if not may(actor, "projects.view", org):
        return Project.objects.none()
    return (
        Project.objects.filter(client_org=org)
        .select_related("current_phase")
        .annotate(hours_used=hours_used(), rank=STATUS_ORDER)
        .order_by("rank", "name")
    )


def project_get_for(actor: Actor, project_id: int) -> Project:
    found = (
        Project.objects.select_related("client_org", "current_phase")
        .annotate(hours_used=hours_used())
        .filter(pk=project_id)
        .first()
    )
    if found is None:
        raise NotFound
    if actor.is_staff:
        if not client_orgs_for(actor, include_archived=True).filter(pk=found.client_org_id).exists():
            raise NotFound
    elif not may(actor, "projects.view", found.client_org) or found.client_org.archived_at is not None:
        raise NotFound
    return found


def phases_of(project: Project) -> QuerySet[Phase]:
    return project.phases.all()


def milestones_of(project: Project) -> QuerySet[Milestone]:
    return project.milestones.all()


def may_see_time(actor: Actor, org: ClientOrg) -> bool:
    return may(actor, "time.view", org)


def time_entries_for(actor: Actor, org: ClientOrg, *, project: Project | None = None) -> QuerySet[TimeEntry]:
    if not may(actor, "time.view", org):
        return TimeEntry.objects.none()
    entries = TimeEntry.objects.filter(project__client_org=org).select_related("project")
    return entries.filter(project=project) if project is not None else entries


def phase_get_for(actor: Actor, phase_id: int) -> Phase:
    phase = Phase.objects.select_related("project").filter(pk=phase_id).first()
    if phase is None or not actor.is_staff:
        raise NotFound
    project_get_for(actor, phase.project_id)
    return phase


def milestone_get_for(actor: Actor, milestone_id: int) -> Milestone:
    milestone = Milestone.objects.select_related("project").filter(pk=milestone_id).first()
    if milestone is None or not actor.is_staff:
        raise NotFound
    project_get_for(actor, milestone.project_id)
    return milestone


def loggable_staff(actor: Actor) -> QuerySet[Any]:
    from accounts.models import User

    if not actor.is_staff:
        return User.objects.none()
    return User.objects.filter(staff__isnull=False, is_active=True).order_by("full_name", "email")
