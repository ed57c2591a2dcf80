from django.http import HttpResponse
from django.shortcuts import render

from portal.access import attention
from portal.access import search as site_search
from portal.access.http import PortalRequest, signed_in
from portal.dashboard.checklist import checklist_for

# The longest query the search page accepts; longer ones are cut (a search box, not a document).
QUERY_MAX = 200


@signed_in
def home(request: PortalRequest) -> HttpResponse:
    checklist = None
    if request.actor.manages_portal:
        steps = checklist_for(request.user, request.tenant)
        checklist = steps if not all(item["done"] for item in steps) else None
    return render(
        request, "portal/home.html", {"checklist": checklist, "needs": attention.needs_for(request.actor)}
    )


@signed_in
def search(request: PortalRequest) -> HttpResponse:
    """Everything the person may open whose name matches, grouped by kind (documents, clients, people …)."""
    query = request.GET.get("q", "")[:QUERY_MAX].strip()
    groups = site_search.search(request.actor, query)
    return render(request, "portal/search.html", {"search_query": query, "groups": groups})
