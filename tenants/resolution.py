"""Host → tenant resolution: the root domain is the public site, any other host must be a tenant's domain."""

from django.conf import settings
from django_tenants.utils import get_public_schema_name

from tenants.models import Domain, Tenant


def is_root_host(hostname: str) -> bool:
    return hostname == settings.ROOT_DOMAIN.lower()


def tenant_for_hostname(hostname: str) -> Tenant | None:
    """The tenant served on this host, or None. Call with the connection on the public schema."""
    domain = (
        Domain.objects.select_related("tenant")
        .filter(domain=hostname)
        .exclude(tenant__schema_name=get_public_schema_name())
        .first()
    )
    return domain.tenant if domain else None
