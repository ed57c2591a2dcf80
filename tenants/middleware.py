"""Selects the schema and URLconf for each request from its host."""

from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.http.request import split_domain_port
from django.template.loader import render_to_string

from tenants.resolution import is_root_host, tenant_for_hostname


class TenantResolutionMiddleware:
    """The root domain gets the public schema and URLconf; a tenant's domain its schema and the portal URLconf;
    any other host a plain 404 that names nothing (no tenant, no host)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        connection.set_schema_to_public()  # type: ignore[attr-defined]
        hostname, _port = split_domain_port(request.get_host())
        if is_root_host(hostname):
            request.tenant = None  # type: ignore[attr-defined]
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
            return self.get_response(request)

        tenant = tenant_for_hostname(hostname)
        if tenant is None:
            return HttpResponseNotFound(render_to_string("errors/unknown_host.html"))
        connection.set_tenant(tenant)  # type: ignore[attr-defined]
        request.tenant = tenant  # type: ignore[attr-defined]
        request.urlconf = settings.ROOT_URLCONF
        try:
            return self.get_response(request)
        finally:
            connection.set_schema_to_public()  # type: ignore[attr-defined]
