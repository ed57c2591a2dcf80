import logging
from typing import Any

from allauth.account.models import EmailAddress
from csp.decorators import csp_update
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django_ratelimit.decorators import ratelimit
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.services import login_token_issue
from core.errors import add_to_form
from operators.services import TenantError, tenant_provision
from portal.access.policy import actor_for
from signup.forms import FindPortalForm, SignupForm
from signup.tasks import find_portal_send_task
from tenants.models import Tenant
from tenants.services import tenant_update_branding
from tenants.urls_external import portal_url

logger = logging.getLogger(__name__)


# The signup form's answer is a redirect to the new portal's host, which `form-action 'self'` would block.
@csp_update({"form-action": [f"*.{settings.ROOT_DOMAIN}:*"]})
@ratelimit(key="ip", rate=lambda group, request: settings.SIGNUP_RATE, method="POST", block=False)
def signup(request: HttpRequest) -> HttpResponse:
    """A provider signs up and lands, signed in, in its new portal."""
    form = SignupForm(request.POST or None, request.FILES or None, root_domain=settings.ROOT_DOMAIN)
    if request.method == "POST" and getattr(request, "limited", False):
        form.add_error(None, _("Too many signups from your network. Please try again in an hour."))
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            tenant = tenant_provision(
                company_name=data["company_name"],
                subdomain=data["subdomain"],
                owner_name=data["owner_name"],
                owner_email=data["email"],
                owner_password=data["password"],
                brand_color=data["brand_color"],
            )
        except TenantError as error:
            add_to_form(form, error)
        else:
            return hand_off(request, tenant, data)
    context = {"form": form, "root_domain": settings.ROOT_DOMAIN}  # the subdomain field shows its suffix
    return render(request, "signup/signup.html", context, status=400 if form.errors else 200)


def hand_off(request: HttpRequest, tenant: Tenant, data: dict[str, Any]) -> HttpResponse:
    """The portal exists from here on: whatever else fails (the logo, the mail), the owner still lands in it,
    and can add the logo or ask for a new confirmation e-mail from there."""
    with tenant_context(tenant):
        owner = User.objects.get(email=data["email"])
        token = login_token_issue(user=owner)
        try:
            EmailAddress.objects.get(user=owner, primary=True).send_confirmation(request, signup=True)
        except Exception:
            logger.exception("signup of %s: the confirmation e-mail could not be sent", tenant.schema_name)
    if data["logo"]:
        try:
            tenant_update_branding(
                actor=actor_for(owner),
                tenant=tenant,
                display_name="",
                brand_color=tenant.brand_color,
                logo=data["logo"],
            )
        except Exception:
            logger.exception("signup of %s: the logo could not be stored", tenant.schema_name)
    path = reverse("account_handoff", args=[token], urlconf=settings.ROOT_URLCONF)
    return redirect(portal_url(tenant, path, request))


@ratelimit(key="ip", rate=lambda group, request: settings.FIND_PORTAL_RATE, method="POST", block=False)
def find_portal(request: HttpRequest) -> HttpResponse:
    """Sends the list of portals where an address has an account. The answer is the same whether or not the
    address is known, so the page cannot be used to find out who has an account where."""
    form = FindPortalForm(request.POST or None)
    if request.method == "POST" and getattr(request, "limited", False):
        form.add_error(None, _("Too many requests from your network. Please try again later."))
    elif request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        transaction.on_commit(lambda: find_portal_send_task.delay(email))
        return render(request, "signup/find_portal_sent.html", {"email": email})
    return render(request, "signup/find_portal.html", {"form": form}, status=400 if form.errors else 200)
