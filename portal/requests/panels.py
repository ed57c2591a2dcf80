"""What requests add to the pages' panels (`portal.access.panels`), read through the scoped selectors:
- place "project": the project's requests the person may see, newest first, with how many are open, and for a
  contact who may send requests a way to send one about the project; two statements whatever their number;
- place "home", the staff dashboard: the open requests of the clients the member of staff reaches (or of the one
  chosen), by status, and how many are past their due time; one statement, a bar per status with its count."""

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from portal.access import panels
from portal.access.panels import Panel
from portal.access.policy import Actor
from portal.clients.models import ClientOrg
from portal.engagements.models import ProjectStatus
from portal.requests import selectors
from portal.requests.models import OPEN_STATUSES, Status

SHOWN = 10


def project_requests(actor: Actor, project: Any) -> list[Panel]:
    """The requests section: for staff, and for contacts who send or follow requests (others see none)."""
    held = actor.capabilities
    if not actor.is_staff and not {"requests.create", "requests.view_all"} & held:
        return []
    about = selectors.requests_about(actor, project)
    counts = about.order_by().aggregate(total=Count("pk"), open=Count("pk", filter=Q(status__in=OPEN_STATUSES)))
    if actor.is_staff:
        everything = f"{reverse('requests:queue')}?project={project.pk}&status="
    else:
        everything = f"{reverse('requests:list', kwargs={'org_id': project.client_org_id})}?project={project.pk}"
        everything += "&whose=all" if "requests.view_all" in held else ""
    may_send = not actor.is_staff and "requests.create" in held and project.status != ProjectStatus.COMPLETED
    new_url = f"{reverse('requests:new', kwargs={'org_id': project.client_org_id})}?project={project.pk}"
    context = {
        "project_requests": list(about[:SHOWN]),
        "requests_total": counts["total"],
        "requests_open": counts["open"],
        "requests_all_url": everything,
        "requests_new_url": new_url if may_send else "",
    }
    return [Panel(key="requests", template="portal/requests/project_section.html", context=context)]


def open_requests(actor: Actor, scope: ClientOrg | None) -> list[panels.Panel]:
    if not actor.is_staff:
        return []
    requests = selectors.requests_for(actor)
    if scope is not None:
        requests = requests.filter(client_org=scope)
    counts = requests.order_by().aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in OPEN_STATUSES},
        overdue=Count("pk", filter=selectors.overdue_condition(timezone.now())),
    )
    queue = reverse("requests:queue")
    client = f"&client={scope.pk}" if scope is not None else ""
    largest = max([counts[status] for status in OPEN_STATUSES] + [1])
    rows: list[dict[str, Any]] = [
        {
            "label": Status(status).label,
            "count": counts[status],
            "width": f"{counts[status] * 100 / largest:.2f}",
            "kind": f"status-{status}",
            "url": f"{queue}?status={status}{client}",
        }
        for status in OPEN_STATUSES
    ]
    context = {
        "rows": rows,
        "open": sum(row["count"] for row in rows),
        "overdue": counts["overdue"],
        "overdue_url": f"{queue}?overdue=1&status={client}",
        "queue_url": f"{queue}?status=open{client}",
    }
    return [Panel("requests.open", "portal/requests/panels/open.html", context)]


def register() -> None:
    panels.register("project", "requests", project_requests)
    panels.register("home", "requests.open", open_requests)
