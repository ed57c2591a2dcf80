"""The lifecycle gate: applies the portal's lifecycle state (read-only, suspended, canceled) to each request."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.problems import is_api, problem_response
from portal.access.policy import is_owner
from tenants.lifecycle import WRITABLE, TenantStatus

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Open whatever the portal's state: signing in (password, second factor, passkey, hand-off link) and out, and
# the portal's look, so an owner can sign in and read how to reactivate. Nothing here changes portal data.
ALWAYS_OPEN = frozenset(
    {
        "account_login", "account_logout", "account_handoff", "mfa_authenticate", "mfa_login_webauthn",
        "branding_assets:theme", "branding_assets:logo", "favicon:ico", "favicon:svg", "favicon:touch",
        "activity:unsubscribe",
    }
)  # fmt: skip


class TenantLifecycleMiddleware:
    """Read-only portals refuse writes; suspended ones show a notice (owners: how to reactivate); canceled ones
    a notice with the purge date. Runs after authentication, on the resolved view, so what stays open is a short
    list of URL names rather than a path prefix."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., HttpResponse], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        tenant = getattr(request, "tenant", None)
        if tenant is None:
            return None
        subscription = tenant.subscription
        status = subscription.status
        name = request.resolver_match.view_name if request.resolver_match else ""
        if status in WRITABLE or name in ALWAYS_OPEN:
            return None
        if status == TenantStatus.READ_ONLY:
            if request.method in SAFE_METHODS:
                return None
            if is_api(request.path):
                return problem_response(403, "This portal is read-only: nothing can be changed.", kind="read_only")
            return render(request, "portal/lifecycle/read_only.html", status=403)
        if is_api(request.path):
            detail = "This portal is suspended." if status == TenantStatus.SUSPENDED else "This portal is closed."
            return problem_response(403, detail, kind=str(status))
        context: dict[str, Any] = {"is_owner": is_owner(request.user)}
        if status == TenantStatus.SUSPENDED:
            return render(request, "portal/lifecycle/suspended.html", context, status=403)
        context["purge_on"] = subscription.canceled_at + timedelta(days=settings.TENANT_RETENTION_DAYS)
        return render(request, "portal/lifecycle/canceled.html", context, status=403)
