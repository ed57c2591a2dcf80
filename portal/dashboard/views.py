from django.http import HttpResponse
from django.shortcuts import render

from portal.access import attention, panels
from portal.access import search as site_search
from portal.access.http import PortalRequest, signed_in
from portal.access.pages import cached_page
from portal.access.policy import Actor, client_org_get_for, client_orgs_for
from portal.clients.models import ClientOrg
from portal.dashboard.checklist import checklist_for
from portal.dashboard.feed import recent_activity

# The longest query the search page accepts; longer ones are cut (a search box, not a document).
QUERY_MAX = 200


def chosen_client(actor: Actor, value: str) -> ClientOrg | None:
    """The client a member of staff narrowed the dashboard to (`?client=<id>`), if they reach it; an id they do not
    reach is not found (404), anything else means every client."""
    if not actor.is_staff or not (value.isascii() and value.isdigit()):
        return None
    return client_org_get_for(actor, int(value))


@signed_in
@cached_page
def home(request: PortalRequest) -> HttpResponse:
    """The checklist (owners and admins, until it is done), what needs the person (each feature's attention
    providers) and their dashboard: each feature's panels (a contact's engagement summary; staff's approvals,
    milestones, budgets and requests, for every client or the one chosen), then the recent activity they may see.
    htmx asks for the dashboard alone (`HX-Target: dashboard`) when staff choose a client and every few minutes."""
    me = request.actor
    client = chosen_client(me, request.GET.get("client", ""))
    shown = panels.panels_for("home", me, client)
    dashboard = {
        "panels": shown,
        "activity": recent_activity(me),
        "activity_wide": sum(not panel.wide for panel in shown) % 2 == 0,  # else beside the last panel
        "client": client,
        "clients": client_orgs_for(me).select_related(None).only("pk", "name") if me.is_staff else [],
    }
    if request.htmx and request.htmx.target == "dashboard":
        return render(request, "portal/dashboard/panels.html", dashboard)
    checklist = None
    if me.manages_portal:
        steps = checklist_for(me, request.tenant)
        checklist = steps if not all(item["done"] for item in steps) else None
    context = dashboard | {
        "checklist": checklist,
        "needs": attention.needs_for(me),
    }
    return render(request, "portal/home.html", context)


@signed_in
def search(request: PortalRequest) -> HttpResponse:
    """Everything the person may open whose name matches, grouped by kind (documents, clients, people …)."""
    query = request.GET.get("q", "")[:QUERY_MAX].strip()
    groups = site_search.search(request.actor, query)
    return render(request, "portal/search.html", {"search_query": query, "groups": groups})
