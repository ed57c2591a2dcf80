"""Engagements join the capability registry, the event types, the visible targets and the commentables."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.access import visibility
from portal.access.capabilities import DefaultRole, register
from portal.access.visibility import Visibility
from portal.activity import events
from portal.conversations import registry

PROJECTS_VIEW = register(
    "projects.view",
    label=_("See the organisation's projects"),
    description=_("Follow each project of their organisation: its phases, milestones and what is being delivered."),
    default_roles={DefaultRole.CLIENT_ADMIN, DefaultRole.FINANCE, DefaultRole.PROJECT_LEAD, DefaultRole.VIEWER},
    url_name="engagements:projects",
)
TIME_VIEW = register(
    "time.view",
    label=_("See the hours spent"),
    description=_("See the time the provider's staff spent on each project, against its budget in hours."),
    default_roles={DefaultRole.CLIENT_ADMIN, DefaultRole.FINANCE, DefaultRole.PROJECT_LEAD},
    url_name="engagements:time",
)

DELIVERABLES_APPROVE = register(
    "deliverables.approve",
    label=_("Approve deliverables or ask for changes"),
    description=_("Decide on the deliverables submitted to their organisation: approve them or request changes."),
    default_roles={DefaultRole.CLIENT_ADMIN, DefaultRole.PROJECT_LEAD},
    url_name="engagements:approvals",
)

PROJECT_CREATED = events.register("project.created", label=_("New projects"))
PHASE_STARTED = events.register("project.phase_started", label=_("Projects moving to a new phase"))
MILESTONE_REACHED = events.register("project.milestone_reached", label=_("Milestones reached"))
DELIVERABLE_SUBMITTED = events.register("deliverable.submitted", label=_("Deliverables to review"))
DELIVERABLE_APPROVED = events.register("deliverable.approved", label=_("Deliverables approved"))
CHANGES_REQUESTED = events.register("deliverable.changes_requested", label=_("Changes requested on deliverables"))
# The reminder of a submission still waiting (`services.remind_waiting_decisions`): for those who may decide, i.e.
# who may open the deliverable and hold deliverables.approve; each event names them (`data.recipients`), so the
# client's staff, who see the deliverable but do not decide, are not told.
DECISION_WAITING = events.register(
    "deliverable.decision_waiting",
    label=_("Deliverables still waiting for your decision"),
    capability=DELIVERABLES_APPROVE.code,
)
# Audit-only: the project's details and plan, and the time logged (shown on the pages, not news).
PROJECT_CHANGED = events.register(
    "project.changed", label=_("Project details and plans changed"), staff_only=True, audit_only=True
)
TIME_LOGGED = events.register("time.logged", label=_("Time logged"), staff_only=True, audit_only=True)
SETTINGS_CHANGED = events.register(
    "engagements.settings_changed", label=_("Approval reminder settings changed"), staff_only=True, audit_only=True
)


def project_visibility(project: Any) -> Visibility:
    return Visibility(project.client_org_id, PROJECTS_VIEW.code)


def deliverable_visibility(deliverable: Any) -> Visibility:
    """Seen by those who see the project's; a draft (never submitted) by staff only."""
    return Visibility(deliverable.project.client_org_id, PROJECTS_VIEW.code, internal=deliverable.state == "draft")


def _deliverable_for(actor: Any, pk: int) -> Any:
    from portal.engagements.selectors import deliverable_get_for

    return deliverable_get_for(actor, pk)


def _project_for(actor: Any, pk: int) -> Any:
    from portal.engagements.selectors import project_get_for

    return project_get_for(actor, pk)


def register_targets() -> None:
    from portal.engagements.models import Deliverable, EngagementSettings, Project

    visibility.register(
        Project,
        visibility=project_visibility,
        page=lambda pk, org_id: reverse("engagements:project", kwargs={"project_id": pk}),
    )
    registry.enable(Project, type_code="project", get_for=_project_for)
    visibility.register(
        Deliverable,
        visibility=deliverable_visibility,
        page=lambda pk, org_id: reverse("engagements:deliverable", kwargs={"deliverable_id": pk}),
    )
    registry.enable(Deliverable, type_code="deliverable", get_for=_deliverable_for)
    visibility.register(
        EngagementSettings,
        visibility=lambda found: Visibility(None),
        page=lambda pk, org_id: reverse("engagements:settings"),
    )
