from django.http import HttpResponse
from django.shortcuts import render

from portal.access import attention
from portal.access import search as site_search
from portal.access.http import PortalRequest, signed_in
from portal.access.pages import cached_page
from portal.dashboard.checklist import checklist_for
from portal.dashboard.feed import recent_activity

# The longest query the search page accepts; longer ones are cut (a search box, not a document).
QUERY_MAX = 200


@signed_in
@cached_page
def home(request: PortalRequest) -> HttpResponse:
    """The checklist (owners and admins, until it is done), what needs the person (each feature's attention
    providers) and the recent activity they may see."""
    me = request.actor
    checklist = None
    if me.manages_portal:
        steps = checklist_for(me, request.tenant)
        checklist = steps if not all(item["done"] for item in steps) else None
    context = {
        "checklist": checklist,
        "needs": attention.needs_for(me),
        "activity": recent_activity(me),
    }
    return render(request, "portal/home.html", context)


@signed_in
def search(request: PortalRequest) -> HttpResponse:
    """Everything the person may open whose name matches, grouped by kind (documents, clients, people …)."""
    query = request.GET.get("q", "")[:QUERY_MAX].strip()
    groups = site_search.search(request.actor, query)
    return render(request, "portal/search.html", {"search_query": query, "groups": groups})
