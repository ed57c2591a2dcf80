"""Writers of a portal's own settings on its tenant record (branding; two-factor policy, scanning and digest
time). Kernel code: it records each change in the portal's history through `core.audit`, never importing the
portal. Orchestration (provisioning, lifecycle, purge) is `operators.services`."""

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django_tenants.utils import tenant_context

from core.audit import Principal, audited
from core.audit import record as audit_record
from core.errors import DomainError
from tenants.models import Tenant
from tenants.routing import routing_changed


class TenantError(DomainError):
    """A tenant operation refused, with a message for the person who asked and the field it concerns."""


def _record_in_portal(*, actor: Principal, verb: str, tenant: Tenant, data: dict[str, object]) -> None:
    """Record a change of the portal's settings in the portal's own history (its schema; the Tenant row lives in
    the public schema), whichever schema the caller is in (signup hands the logo over from the root site)."""
    with tenant_context(tenant):
        audit_record(actor=actor, verb=verb, target=tenant, data=data)


@transaction.atomic
@audited("tenant.branding_changed")
def tenant_update_branding(
    *,
    actor: Principal,
    tenant: Tenant,
    display_name: str,
    brand_color: str,
    logo: UploadedFile | None,
    clear_logo: bool = False,
) -> Tenant:
    """Change a portal's name, colour and logo. `tenant` may be a cached instance: a fresh row is written."""
    fresh = Tenant.objects.select_for_update().get(pk=tenant.pk)
    fresh.display_name = display_name.strip()
    fresh.brand_color = brand_color.lower()
    old_logo = fresh.logo.name if fresh.logo else ""
    if clear_logo or logo is not None:
        fresh.logo = None
    if logo is not None:
        fresh.logo.save(logo.name or "logo", logo, save=False)
    fresh.full_clean(exclude=["logo"], validate_unique=False)
    fresh.save(update_fields=["display_name", "brand_color", "logo"])
    changes = {"display_name": fresh.display_name, "brand_color": fresh.brand_color, "logo": bool(fresh.logo)}
    _record_in_portal(actor=actor, verb="tenant.branding_changed", tenant=fresh, data=changes)
    if old_logo and old_logo != fresh.logo.name:
        transaction.on_commit(lambda: default_storage.delete(old_logo))
    transaction.on_commit(routing_changed)
    return fresh


@transaction.atomic
@audited("tenant.security_changed")
def tenant_update_security(
    *,
    actor: Principal,
    tenant: Tenant,
    mfa_policy: str,
    time_zone: str,
    digest_hour: int,
    unscanned_files: str = "reject",
) -> Tenant:
    """The portal's two-factor policy, what to do with files too large to scan, and the time zone and hour of
    its daily digest."""
    fresh = Tenant.objects.select_for_update().get(pk=tenant.pk)
    fresh.mfa_policy = mfa_policy
    fresh.unscanned_files = unscanned_files
    fresh.time_zone = time_zone
    fresh.digest_hour = digest_hour
    fresh.full_clean(exclude=["logo"], validate_unique=False)
    fresh.save(update_fields=["mfa_policy", "unscanned_files", "time_zone", "digest_hour"])
    settings_now = {"mfa_policy": mfa_policy, "unscanned_files": unscanned_files, "time_zone": time_zone,
                    "digest_hour": digest_hour}  # fmt: skip
    _record_in_portal(actor=actor, verb="tenant.security_changed", tenant=fresh, data=settings_now)
    transaction.on_commit(routing_changed)
    return fresh
