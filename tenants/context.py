"""Which portal the database connection is working for."""

from typing import Literal, overload

from django.db import connection
from django_tenants.utils import get_public_schema_name

from tenants.models import Tenant


@overload
def current_tenant() -> Tenant: ...


@overload
def current_tenant(*, optional: Literal[True]) -> Tenant | None: ...


def current_tenant(*, optional: bool = False) -> Tenant | None:
    """The Tenant whose schema the connection is set to (`tenant_context`, or the request's portal). On the
    public schema (the root site, beat, operator commands) there is none: `RuntimeError`, or None when the caller
    says it can do without one (`optional=True`)."""
    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Tenant) and tenant.pk is not None and tenant.schema_name != get_public_schema_name():
        return tenant
    if optional:
        return None
    raise RuntimeError("call inside a tenant's schema (tenant_context)")
