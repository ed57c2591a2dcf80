"""Absolute links to a portal, for redirects from the root site and for e-mails."""

from django.conf import settings
from django.http import HttpRequest
from django.http.request import split_domain_port

from tenants.models import Tenant


def portal_url(tenant: Tenant, path: str = "/", request: HttpRequest | None = None) -> str:
    """`<scheme>://<tenant's primary domain>[:port]<path>`; scheme and port follow the request when there is
    one (so development on :8000 works), else SITE_SCHEME and SITE_PORT."""
    if request is not None:
        scheme = request.scheme or settings.SITE_SCHEME
        _host, port = split_domain_port(request.get_host())
    else:
        scheme, port = settings.SITE_SCHEME, settings.SITE_PORT
    domain = tenant.get_primary_domain()
    host = domain.domain if domain else f"{tenant.slug}.{settings.ROOT_DOMAIN}"
    return f"{scheme}://{host}{_port_suffix(scheme, port)}{path}"


def _port_suffix(scheme: str, port: str) -> str:
    default_port = {"http": "80", "https": "443"}.get(scheme)
    return f":{port}" if port and port != default_port else ""


def root_url(path: str = "/") -> str:
    """The root site, for e-mails sent without a request."""
    return (
        f"{settings.SITE_SCHEME}://{settings.ROOT_DOMAIN}{_port_suffix(settings.SITE_SCHEME, settings.SITE_PORT)}{path}"
    )
