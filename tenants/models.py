from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin


class Tenant(TenantMixin):
    """A provider company: one PostgreSQL schema, one branded portal."""

    name = models.CharField(_("company name"), max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)

    # Schemas are created by the provisioning service, never implicitly on save, and never dropped by a delete.
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        verbose_name = _("tenant")

    def __str__(self) -> str:
        return self.name


class Domain(DomainMixin):
    """A host name that serves a tenant's portal (`<slug>.ROOT_DOMAIN` or a verified custom domain)."""

    class Meta:
        verbose_name = _("domain")

    def __str__(self) -> str:
        return self.domain
