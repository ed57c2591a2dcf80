from django.http import HttpResponse
from django.shortcuts import render

from portal.access.http import PortalRequest, signed_in
from portal.dashboard.checklist import checklist_for


@signed_in
def home(request: PortalRequest) -> HttpResponse:
    checklist = None
    if request.actor.manages_portal:
        steps = checklist_for(request.user, request.tenant)
        checklist = steps if not all(item["done"] for item in steps) else None
    return render(request, "portal/home.html", {"checklist": checklist})
