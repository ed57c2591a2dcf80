from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portal.dashboard.checklist import checklist_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    checklist = None
    if request.actor.manages_portal:  # type: ignore[attr-defined]
        steps = checklist_for(request.user, request.tenant)  # type: ignore[attr-defined]
        checklist = steps if not all(item["done"] for item in steps) else None
    return render(request, "portal/home.html", {"checklist": checklist})
