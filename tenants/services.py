"""Writers for tenants. Issue 02 replaces schema creation by migrations with cloning a template schema."""

from django.db import transaction

from tenants.models import Domain, Tenant


@transaction.atomic
def tenant_create(*, schema_name: str, name: str, domain: str) -> Tenant:
    """Create a tenant, its primary domain and its schema (migrated), all or nothing."""
    tenant = Tenant(schema_name=schema_name, name=name)
    tenant.full_clean()
    tenant.save()
    Domain.objects.create(tenant=tenant, domain=domain.lower(), is_primary=True)
    tenant.create_schema(check_if_exists=True, verbosity=0)
    return tenant
