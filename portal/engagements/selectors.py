"""Reading engagements for a person, through `portal.access`: staff see the projects of the clients they reach; a
contact their organisation's projects with `projects.view`, and the hours spent with `time.view`."""

from decimal import Decimal

from django.db.models import Case, DecimalField, OuterRef, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from portal.access.policy import Actor, NotFound, client_orgs_for, may
from portal.clients.models import ClientOrg
from portal.engagements.models import (
    Decision,
    Deliverable,
    DeliverableState,
    DeliverableVersion,
    Milestone,
    Phase,
    Project,
    ProjectStatus,
    TimeEntry,
)

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


def projects_reached_by(actor: Actor) -> QuerySet[Project]:
    """Every project the actor may open, across organisations (the API's list): staff and API keys the projects of
    every client they reach (archived ones' too, as `project_get_for`); a contact their organisation's, with
    `projects.view`. With the hours used; in no particular order."""
    if actor.is_staff:
        orgs = client_orgs_for(actor, include_archived=True)
    elif "projects.view" in actor.capabilities:
        orgs = client_orgs_for(actor)
    else:
        return Project.objects.none()
    rows = Project.objects.filter(client_org__in=orgs.values("pk")).select_related("current_phase")
    return rows.annotate(hours_used=hours_used())


def project_by_external_id_for(actor: Actor, external_id: str, *, lock: bool = False) -> Project | None:
    """The project with the provider's `external_id`, or None when there is none; `NotFound` when there is one the
    actor may not open (an upsert must not take over another client's project). `lock`: under its row lock (call
    inside a transaction)."""
    rows = Project.objects.filter(external_id=external_id)
    found = (rows.select_for_update() if lock else rows).values_list("pk", flat=True).first()
    return None if found is None else project_get_for(actor, found)


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


# --- deliverables --------------------------------------------------------------------------------------------------


def deliverables_of(actor: Actor, project: Project) -> QuerySet[Deliverable]:
    """The project's deliverables the actor may see (drafts: staff only), with their latest version."""
    deliverables = project.deliverables.prefetch_related("versions")
    return deliverables if actor.is_staff else deliverables.exclude(state=DeliverableState.DRAFT)


def deliverable_get_for(actor: Actor, deliverable_id: int) -> Deliverable:
    found = Deliverable.objects.select_related("project", "project__client_org").filter(pk=deliverable_id).first()
    if found is None or (found.state == DeliverableState.DRAFT and not actor.is_staff):
        raise NotFound
    project_get_for(actor, found.project_id)
    return found


def versions_of(deliverable: Deliverable) -> QuerySet[DeliverableVersion]:
    return deliverable.versions.select_related("uploaded_by")


def decisions_of(deliverable: Deliverable) -> QuerySet[Decision]:
    return deliverable.decisions.select_related("version")


def version_get_for(actor: Actor, version_id: int) -> DeliverableVersion:
    version = DeliverableVersion.objects.filter(pk=version_id).first()
    if version is None:
        raise NotFound
    deliverable_get_for(actor, version.deliverable_id)
    return version


def may_decide(actor: Actor, deliverable: Deliverable) -> bool:
    """Contacts whose role holds `deliverables.approve` in the deliverable's organisation decide; staff do not."""
    return not actor.is_staff and may(actor, "deliverables.approve", deliverable.project.client_org)


def waiting_for_decision(actor: Actor, org: ClientOrg) -> QuerySet[Deliverable]:
    """The organisation's submitted deliverables waiting for a decision, oldest submission first."""
    if not may(actor, "deliverables.approve", org):
        return Deliverable.objects.none()
    return (
        Deliverable.objects.filter(project__client_org=org, state=DeliverableState.SUBMITTED)
        .select_related("project")
        .order_by("submitted_at", "pk")
    )
