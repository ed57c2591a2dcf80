"""What engagements add to the home page: "what needs you" gains the decisions waiting for a contact who may
approve; the client dashboard gains the engagement summary per project and the upcoming deadlines; the staff
dashboard the deliverables waiting for a decision (with the approval turnaround), the overdue milestones and the
budget burn. Each reads through `portal.engagements.summaries` (one statement each)."""

import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from core import periods
from portal.access import attention, panels
from portal.access.policy import Actor
from portal.clients.models import ClientOrg
from portal.engagements import summaries
from portal.engagements.selectors import waiting_for_decision
from portal.engagements.summaries import burn
from portal.engagements.turnaround import overall

PROJECTS_SHOWN = 6
ROWS_SHOWN = 6
TITLES_SHOWN = 3


def decisions_needed(actor: Actor) -> list[attention.Need]:
    """A contact who may approve: the deliverables waiting for their organisation's decision."""
    if actor.contact is None or "deliverables.approve" not in actor.capabilities:
        return []
    org = actor.contact.client_org
    waiting = list(waiting_for_decision(actor, org).values_list("pk", "title")[:50])
    titles = [title for _pk, title in waiting]
    url = (
        reverse("engagements:deliverable", kwargs={"deliverable_id": waiting[0][0]})
        if len(waiting) == 1
        else reverse("engagements:approvals", kwargs={"org_id": org.pk})
    )
    return [
        attention.Need(
            key="deliverables.waiting",
            title=ngettext(
                "deliverable waiting for your decision", "deliverables waiting for your decision", len(waiting)
            ),
            detail=", ".join(titles[:TITLES_SHOWN]) + ("…" if len(titles) > TITLES_SHOWN else ""),
            url=url, icon="document-check", count=len(waiting),
        )
    ]  # fmt: skip


def segments(parts: list[tuple[str, int]], total: int) -> list[dict[str, Any]]:
    """Consecutive segments of a bar of 100 units, each (its CSS class, its count out of `total`), for the chart
    template; the numbers are formatted here so no locale puts a comma in an SVG attribute."""
    drawn, x = [], 0.0
    for kind, count in parts:
        if count and total:
            width = count * 100 / total
            drawn.append({"kind": kind, "x": f"{x:.2f}", "width": f"{width:.2f}", "round": False})
            x += width
    return drawn


def phase_steps(project: Any) -> list[dict[str, Any]]:
    """The project's phases as the steps of its progress chart (done, current or to come), a small gap between."""
    phases = list(zip(project.phase_positions or [], project.phase_names or [], strict=True))
    current = project.current_phase.position if project.current_phase else None
    width = 100 / len(phases) if phases else 0
    steps = []
    for index, (position, name) in enumerate(phases):
        state = "todo" if current is None or position > current else "current" if position == current else "done"
        steps.append(
            {
                "name": name,
                "kind": f"step-{state}",
                "x": f"{index * width:.2f}",
                "width": f"{width - 1:.2f}",
                "round": True,
            }
        )
    return steps


def client_dashboard(actor: Actor, scope: Any) -> list[panels.Panel]:
    """A contact's organisation: the engagement summary per project, then the deadlines to come."""
    if actor.contact is None or "projects.view" not in actor.capabilities:
        return []
    org: ClientOrg = actor.contact.client_org
    shows_time = "time.view" in actor.capabilities
    today = timezone.localdate()
    projects = summaries.project_summaries(actor, org, limit=PROJECTS_SHOWN)
    rows = []
    for project in projects:
        steps = phase_steps(project)
        rows.append(
            {
                "project": project,
                "steps": steps,
                "phase_number": next((n for n, step in enumerate(steps, 1) if step["kind"] == "step-current"), None),
                "milestones": segments([("part-done", project.milestones_reached)], project.milestones_total),  # type: ignore[attr-defined]
                "deliverables": segments(
                    [("part-done", project.deliverables_approved), ("part-waiting", project.deliverables_waiting)],  # type: ignore[attr-defined]
                    project.deliverables_total,  # type: ignore[attr-defined]
                ),
                "burn": burn(project.hours_used, project.budget_hours) if shows_time else None,  # type: ignore[attr-defined]
            }
        )
    total = projects[0].total if projects else 0  # type: ignore[attr-defined]
    context = {"org": org, "rows": rows, "total": total, "more": total - len(rows), "today": today}
    return [
        panels.Panel("engagements.summary", "portal/engagements/panels/summary.html", context, wide=True),
        panels.Panel(
            "engagements.deadlines",
            "portal/engagements/panels/deadlines.html",
            {"deadlines": summaries.deadlines(actor, org, today, limit=ROWS_SHOWN), "today": today, "org": org},
        ),
    ]


def waited(deliverable: Any, today: datetime.date) -> int:
    """Whole days since the deliverable was submitted, in the portal's time zone."""
    return (today - timezone.localdate(deliverable.submitted_at)).days


def staff_dashboard(actor: Actor, scope: ClientOrg | None) -> list[panels.Panel]:
    """Across the clients the member of staff reaches (or the one chosen): approvals waiting with the turnaround of
    the last 90 days, overdue milestones, budget burn."""
    if not actor.is_staff:
        return []
    today = timezone.localdate()
    since, until = periods.default()
    waiting = summaries.pending_approvals(actor, scope, limit=ROWS_SHOWN)
    overdue = summaries.overdue_milestones(actor, scope, today, limit=ROWS_SHOWN)
    projects = summaries.budget_burn(actor, scope, limit=ROWS_SHOWN)
    return [
        panels.Panel(
            "engagements.approvals",
            "portal/engagements/panels/approvals.html",
            {
                "waiting": [{"deliverable": d, "days": waited(d, today)} for d in waiting],
                "total": waiting[0].total if waiting else 0,  # type: ignore[attr-defined]
                "turnaround": overall(actor, since, until, org=scope),
                "since": since,
                "until": until,
            },
        ),
        panels.Panel(
            "engagements.milestones",
            "portal/engagements/panels/milestones.html",
            {
                "overdue": [{"milestone": m, "days": (today - m.due_date).days} for m in overdue],
                "total": overdue[0].total if overdue else 0,  # type: ignore[attr-defined]
            },
        ),
        panels.Panel(
            "engagements.budget",
            "portal/engagements/panels/budget.html",
            {"rows": [{"project": p, "burn": burn(p.hours_used, p.budget_hours)} for p in projects]},  # type: ignore[attr-defined]
        ),
    ]  # fmt: skip


def register() -> None:
    attention.register("deliverables.waiting", decisions_needed)
    panels.register("home", "engagements.client", client_dashboard)
    panels.register("home", "engagements.staff", staff_dashboard)
