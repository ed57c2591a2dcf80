"""Selects the schema and URLconf for each request from its host, then applies the tenant's lifecycle state."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.http.request import split_domain_port
from django.shortcuts import render
from django.template.loader import render_to_string

from portal.access.policy import is_owner
from tenants.lifecycle import WRITABLE, TenantStatus
from tenants.routing import ROUTER, version_seen

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Open whatever the portal's state: signing in (password, second factor, passkey, hand-off link) and out, and
# the portal's look, so an owner can sign in and read how to reactivate. Nothing here changes portal data.
ALWAYS_OPEN = frozenset(
    {
        "account_login", "account_logout", "account_handoff", "mfa_authenticate", "mfa_login_webauthn",
        "branding_assets:theme", "branding_assets:logo", "activity:unsubscribe",
    }
)  # fmt: skip


def is_root_host(hostname: str) -> bool:
    return hostname == settings.ROOT_DOMAIN.lower()


class TenantResolutionMiddleware:
    """The root domain gets the public schema and URLconf; a tenant's domain its schema and the portal URLconf;
    any other host a plain 404 that names nothing (no tenant, no host). Resolution is cached (tenants.routing)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        previous = connection.tenant  # type: ignore[attr-defined]
        connection.set_schema_to_public()  # type: ignore[attr-defined]
        try:
            return self.route(request)
        finally:
            connection.set_tenant(previous)  # type: ignore[attr-defined]

    def route(self, request: HttpRequest) -> HttpResponse:
        hostname, _port = split_domain_port(request.get_host())
        if is_root_host(hostname):
            request.tenant = None  # type: ignore[attr-defined]
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
            return self.get_response(request)

        tenant = ROUTER.resolve(hostname, at_least=version_seen(request))
        if tenant is None:
            return HttpResponseNotFound(render_to_string("errors/unknown_host.html"))
        connection.set_tenant(tenant)  # type: ignore[attr-defined]
        request.tenant = tenant  # type: ignore[attr-defined]
        request.urlconf = settings.ROOT_URLCONF
        return self.get_response(request)


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
            return render(request, "portal/lifecycle/read_only.html", status=403)
        context: dict[str, Any] = {"is_owner": is_owner(request.user)}
        if status == TenantStatus.SUSPENDED:
            return render(request, "portal/lifecycle/suspended.html", context, status=403)
        context["purge_on"] = subscription.canceled_at + timedelta(days=settings.TENANT_RETENTION_DAYS)
        return render(request, "portal/lifecycle/canceled.html", context, status=403)
