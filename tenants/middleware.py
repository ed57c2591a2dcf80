"""Selects the schema and URLconf for each request from its host, then applies the tenant's lifecycle state."""

from collections.abc import Callable
from datetime import timedelta

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
# Signing in and out (and recovering a password) stay possible whatever the portal's state.
ACCOUNT_PATHS = "/accounts/"


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
    a notice with the purge date. Runs after authentication."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        if tenant is None or request.path.startswith(ACCOUNT_PATHS):
            return self.get_response(request)
        subscription = tenant.subscription
        status = subscription.status
        if status == TenantStatus.SUSPENDED:
            return render(request, "portal/lifecycle/suspended.html", {"is_owner": is_owner(request.user)}, status=403)
        if status == TenantStatus.CANCELED:
            purge_on = subscription.canceled_at + timedelta(days=settings.TENANT_RETENTION_DAYS)
            context = {"is_owner": is_owner(request.user), "purge_on": purge_on}
            return render(request, "portal/lifecycle/canceled.html", context, status=403)
        if status not in WRITABLE and request.method not in SAFE_METHODS:
            return render(request, "portal/lifecycle/read_only.html", status=403)
        return self.get_response(request)
