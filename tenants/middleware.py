"""Selects the schema and URLconf for each request from its host. The lifecycle gate, which needs the person
(it asks `portal.access`), is `portal.access.lifecycle.TenantLifecycleMiddleware`."""

from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.http.request import split_domain_port
from django.template.loader import render_to_string

from tenants.routing import ROUTER, version_seen


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
