"""Writing engagements: projects and their plan (phases, one current; milestones) and the time staff log. Staff
only, for the clients they reach; each write records its event in the same transaction."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.audit import audited
from core.errors import DomainError
from portal.access.policy import Actor, NotFound, may
from portal.activity.services import record
from portal.clients.models import ClientOrg
from portal.engagements.models import Milestone, Phase, Project, ProjectStatus, TimeEntry


class EngagementError(DomainError):
    """A project, phase, milestone or time entry refused."""


def _staff_of(actor: Actor, org: ClientOrg) -> None:
    if not actor.is_staff or not may(actor, "projects.view", org):
        raise NotFound


@transaction.atomic
@audited("project.created", "project.changed")
def project_save(
    *,
    actor: Actor,
    project: Project | None,
    org: ClientOrg,
    name: str,
    description: str = "",
    status: str = ProjectStatus.ACTIVE,
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    budget_hours: Decimal | None = None,
) -> Project:
    """Create a project for a client the actor reaches, or change one."""
    _staff_of(actor, org)
    name = name.strip()
    if not name:
        raise EngagementError(_("Give the project a name."), field="name")
    same = Project.objects.filter(client_org=org, name__iexact=name)
    if project is not None:
        same = same.exclude(pk=project.pk)
    if same.exists():
        raise EngagementError(_("This client already has a project with this name."), field="name")
    if start_date and end_date and end_date < start_date:
        raise EngagementError(_("The target end is before the start."), field="end_date")
    if budget_hours is not None and budget_hours <= 0:
        raise EngagementError(_("A budget is more than 0 hours; leave it empty for none."), field="budget_hours")
    if status not in ProjectStatus.values:
        raise EngagementError(_("Choose a status from the list."), field="status")
    created = project is None
    project = project or Project(client_org=org)
    project.name, project.description, project.status = name[:150], description.strip(), status
    project.start_date, project.end_date, project.budget_hours = start_date, end_date, budget_hours
    project.save()
    record(actor=actor, verb="project.created" if created else "project.changed", target=project)
    return project


@transaction.atomic
@audited("project.changed")
def phase_add(*, actor: Actor, project: Project, name: str) -> Phase:
    """Add a phase at the end of the project's plan."""
    _staff_of(actor, project.client_org)
    name = name.strip()
    if not name:
        raise EngagementError(_("Give the phase a name."), field="name")
    Project.objects.select_for_update().filter(pk=project.pk).first()  # one position each, however many add at once
    position = (project.phases.aggregate(top=Max("position"))["top"] or 0) + 1
    phase = Phase.objects.create(project=project, name=name[:120], position=position)
    record(actor=actor, verb="project.changed", target=project, data={"phase_added": phase.name})
    return phase


@transaction.atomic
@audited("project.phase_started")
def phase_start(*, actor: Actor, phase: Phase) -> Project:
    """Make `phase` the project's current one; the client is told."""
    project = phase.project
    _staff_of(actor, project.client_org)
    if project.current_phase_id == phase.pk:
        raise EngagementError(_("This is already the current phase."), field="phase")
    project.current_phase = phase
    project.save(update_fields=["current_phase", "updated_at"])
    record(actor=actor, verb="project.phase_started", target=project, data={"phase": phase.name})
    return project


@transaction.atomic
@audited("project.changed")
def milestone_add(*, actor: Actor, project: Project, title: str, due_date: datetime.date) -> Milestone:
    _staff_of(actor, project.client_org)
    title = title.strip()
    if not title:
        raise EngagementError(_("Give the milestone a title."), field="title")
    milestone = Milestone.objects.create(project=project, title=title[:200], due_date=due_date)
    data = {"milestone_added": milestone.title, "due": due_date.isoformat()}
    record(actor=actor, verb="project.changed", target=project, data=data)
    return milestone


@transaction.atomic
@audited("project.milestone_reached")
def milestone_complete(*, actor: Actor, milestone: Milestone) -> Milestone:
    """Mark a milestone reached; the client is told."""
    project = milestone.project
    _staff_of(actor, project.client_org)
    if milestone.completed_at is not None:
        raise EngagementError(_("This milestone is already reached."), field="milestone")
    milestone.completed_at = timezone.now()
    milestone.save(update_fields=["completed_at"])
    data = {"milestone": milestone.title, "excerpt": milestone.title}
    record(actor=actor, verb="project.milestone_reached", target=project, data=data)
    return milestone


@dataclass(frozen=True)
class Entry:
    person: User
    date: datetime.date
    hours: Decimal
    description: str = ""


@transaction.atomic
@audited("time.logged")
def time_entries_add(*, actor: Actor, project: Project, entries: Sequence[Entry]) -> list[TimeEntry]:
    """Log time on a project, several entries at once (all or none): each by an active member of staff, a day not
    in the future, more than 0 and at most 24 hours."""
    _staff_of(actor, project.client_org)
    if not entries:
        raise EngagementError(_("Add at least one entry."), field="hours")
    today = timezone.localdate()
    for entry in entries:
        if not (entry.person.is_active and hasattr(entry.person, "staff")):
            raise EngagementError(_("Time is logged for an active member of staff."), field="person")
        if entry.date > today:
            raise EngagementError(_("Time cannot be logged for a day still to come."), field="date")
        if not Decimal("0") < entry.hours <= Decimal("24"):
            raise EngagementError(_("Log more than 0 and at most 24 hours a day."), field="hours")
    made = TimeEntry.objects.bulk_create(
        TimeEntry(
            project=project,
            person=entry.person,
            person_label=entry.person.get_full_name()[:200],
            date=entry.date,
            hours=entry.hours,
            description=entry.description.strip()[:300],
        )
        for entry in entries
    )
    total = sum((entry.hours for entry in entries), Decimal(0))
    record(actor=actor, verb="time.logged", target=project, data={"entries": len(made), "hours": str(total)})
    return made
