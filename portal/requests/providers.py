"""What requests add to the portal's shared places: "what needs you" on the home page (staff: overdue requests and
new ones assigned to them; contacts: requests waiting on them and resolved ones to rate) and the top bar's search.
Both read through the scoped selectors."""

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from portal.access import attention, search
from portal.access.policy import Actor
from portal.requests import selectors
from portal.requests.models import Status

SUBJECTS_SHOWN = 3


def _subjects(subjects: list[str]) -> str:
    return ", ".join(subjects[:SUBJECTS_SHOWN]) + ("…" if len(subjects) > SUBJECTS_SHOWN else "")


def staff_needs(actor: Actor) -> list[attention.Need]:
    if not actor.is_staff:
        return []
    queue = reverse("requests:queue")
    overdue = list(
        selectors.requests_for(actor)
        .filter(selectors.overdue_condition(timezone.now()))
        .values_list("subject", flat=True)[:50]
    )
    mine = list(
        selectors.requests_for(actor)
        .filter(assignee=actor.user, status=Status.NEW)
        .values_list("subject", flat=True)[:50]
    )
    return [
        attention.Need(
            key="requests.overdue",
            title=ngettext("request past its due time", "requests past their due time", len(overdue)),
            detail=_subjects(overdue), url=f"{queue}?overdue=1&status=", icon="exclamation-triangle",
            count=len(overdue),
        ),
        attention.Need(
            key="requests.new_mine",
            title=ngettext("new request assigned to you", "new requests assigned to you", len(mine)),
            detail=_subjects(mine), url=f"{queue}?assignee=me&status=new", icon="inbox-arrow-down", count=len(mine),
        ),
    ]  # fmt: skip


def contact_needs(actor: Actor) -> list[attention.Need]:
    if actor.contact is None or not ({"requests.create", "requests.view_all"} & actor.capabilities):
        return []
    org_id = actor.contact.client_org_id
    waiting = list(selectors.waiting_on_client_for(actor).values_list("pk", "subject")[:50])
    unrated = list(selectors.unrated_for(actor).values_list("pk", "subject")[:50])
    listing = reverse("requests:list", kwargs={"org_id": org_id})
    needs = [
        attention.Need(
            key="requests.waiting",
            title=ngettext("request waiting on you", "requests waiting on you", len(waiting)),
            detail=_subjects([subject for _pk, subject in waiting]),
            url=reverse("requests:detail", args=[waiting[0][0]])
            if len(waiting) == 1
            else f"{listing}?status=waiting_on_client",
            icon="chat-bubble-left-ellipsis", count=len(waiting),
        ),
        attention.Need(
            key="requests.rate",
            title=ngettext("resolved request to rate", "resolved requests to rate", len(unrated)),
            detail=_subjects([subject for _pk, subject in unrated]),
            url=reverse("requests:detail", args=[unrated[0][0]]) + "#rating" if unrated else listing,
            icon="star", count=len(unrated),
        ),
    ]  # fmt: skip
    return needs


def find_requests(actor: Actor, query: str, limit: int) -> list[search.Hit]:
    condition = Q(subject__icontains=query)
    if query.lstrip("#").isdigit():
        condition |= Q(pk=int(query.lstrip("#")))
    hits = []
    for request in selectors.requests_for(actor).filter(condition).order_by("-created_at")[:limit]:
        detail = [f"#{request.pk}", request.get_status_display(), request.request_type.name]
        if actor.is_staff:
            detail.insert(1, request.client_org.name)
        hits.append(
            search.Hit(
                title=request.subject, url=reverse("requests:detail", args=[request.pk]), detail=" · ".join(detail)
            )
        )
    return hits


def register() -> None:
    from django.utils.translation import gettext_lazy

    attention.register("requests.staff", staff_needs)
    attention.register("requests.contact", contact_needs)
    search.register("requests", gettext_lazy("Requests"), "inbox-stack", find_requests)
