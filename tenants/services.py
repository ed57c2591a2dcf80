"""Writers for tenants: provisioning, lifecycle, branding, purge."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context

from accounts.services import user_create
from billing.models import Subscription
from billing.services import subscription_start_trial
from config.errors import DomainError
from portal.access.models import StaffMembership, StaffRole
from tenants.db_backend.base import verified_schemas
from tenants.lifecycle import TenantStatus, can_transition
from tenants.models import Domain, Tenant
from tenants.routing import routing_changed
from tenants.subdomains import schema_name_for, validate_subdomain
from tenants.template import create_tenant_schema, quote

logger = logging.getLogger(__name__)


class TenantError(DomainError):
    """A tenant operation refused, with a message for the person who asked and the field it concerns."""


def portal_host(slug: str) -> str:
    return f"{slug}.{settings.ROOT_DOMAIN}"


def tenant_provision(
    *,
    company_name: str,
    subdomain: str,
    owner_name: str,
    owner_email: str,
    owner_password: str | None,
    brand_color: str | None = None,
) -> Tenant:
    """Create a provider's portal: Tenant, Domain, Subscription (trial), schema (from the template) and the
    owner as a staff owner inside it, all in one transaction, so a failure leaves nothing behind."""
    try:
        slug = validate_subdomain(subdomain)
    except ValidationError as error:
        raise TenantError(error.messages[0], field="subdomain") from None
    schema = schema_name_for(slug)
    if Tenant.objects.filter(slug=slug).exists():
        raise TenantError(_("That subdomain is already taken."), field="subdomain")
    tenant = Tenant(schema_name=schema, slug=slug, name=company_name.strip())
    if brand_color:
        tenant.brand_color = brand_color
    try:
        tenant.full_clean(exclude=["logo"], validate_unique=False)
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise TenantError(messages[0], field=None if field == "__all__" else field) from None
    try:
        with transaction.atomic():
            tenant.save()
            Domain.objects.create(tenant=tenant, domain=portal_host(slug), is_primary=True)
            subscription_start_trial(tenant=tenant)
            create_tenant_schema(schema)
            with tenant_context(tenant):
                owner = user_create(tenant=tenant, email=owner_email, full_name=owner_name, password=owner_password)
                StaffMembership.objects.create(user=owner, role=StaffRole.OWNER)
    except IntegrityError:
        verified_schemas.discard(schema)
        if Tenant.objects.filter(slug=slug).exists() or Domain.objects.filter(domain=portal_host(slug)).exists():
            raise TenantError(_("That subdomain is already taken."), field="subdomain") from None
        raise
    except BaseException:
        verified_schemas.discard(schema)
        raise
    transaction.on_commit(routing_changed)
    logger.info("provisioned tenant %s", schema)
    return tenant


@transaction.atomic
def tenant_change_status(
    *, actor: str, tenant: Tenant, status: str, reason: str = "", expected: str | None = None
) -> Subscription:
    """Move a tenant along its lifecycle; refuses transitions that `tenants.lifecycle` does not allow. With
    `expected`, moves only from that state (jobs that chose the tenant earlier must not undo a newer change)."""
    subscription = Subscription.objects.select_for_update().get(tenant=tenant)
    if subscription.status == status or (expected is not None and subscription.status != expected):
        return subscription
    if status not in TenantStatus.values:
        raise TenantError(_("Unknown status “%(status)s”.") % {"status": status}, field="status")
    if not can_transition(subscription.status, status):
        raise TenantError(
            _("A %(current)s portal cannot become %(target)s.") % {"current": subscription.status, "target": status},
            field="status",
        )
    now = timezone.now()
    subscription.status = status
    subscription.status_changed_at = now
    subscription.status_reason = f"{actor}: {reason}".strip(": ")[:200]
    subscription.canceled_at = now if status == TenantStatus.CANCELED else None
    subscription.save(update_fields=["status", "status_changed_at", "status_reason", "canceled_at"])
    logger.info("tenant %s is now %s (%s)", tenant.schema_name, status, subscription.status_reason)
    transaction.on_commit(routing_changed)
    return subscription


@transaction.atomic
def tenant_update_branding(
    *, tenant: Tenant, display_name: str, brand_color: str, logo: UploadedFile | None, clear_logo: bool = False
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
    if old_logo and old_logo != fresh.logo.name:
        transaction.on_commit(lambda: default_storage.delete(old_logo))
    transaction.on_commit(routing_changed)
    return fresh


@transaction.atomic
def tenant_update_security(
    *, tenant: Tenant, mfa_policy: str, time_zone: str, digest_hour: int, unscanned_files: str = "reject"
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
    transaction.on_commit(routing_changed)
    return fresh


def purge_due(now: datetime | None = None) -> list[Tenant]:
    cutoff = (now or timezone.now()) - timedelta(days=settings.TENANT_RETENTION_DAYS)
    return list(
        Tenant.objects.filter(subscription__status=TenantStatus.CANCELED, subscription__canceled_at__lte=cutoff)
    )


@transaction.atomic
def tenant_purge(*, actor: str, tenant: Tenant) -> None:
    """Delete a canceled tenant whose retention period is over: schema, files, rows. Irreversible."""
    subscription = Subscription.objects.select_for_update().get(tenant=tenant)
    cutoff = timezone.now() - timedelta(days=settings.TENANT_RETENTION_DAYS)
    if (
        subscription.status != TenantStatus.CANCELED
        or not subscription.canceled_at
        or subscription.canceled_at > cutoff
    ):
        raise TenantError(_("Only a canceled portal past its retention period can be purged."))
    schema = tenant.schema_name
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {quote(schema)} CASCADE")
    tenant.delete(force_drop=False)
    verified_schemas.discard(schema)
    transaction.on_commit(lambda: delete_tenant_files(schema))
    transaction.on_commit(routing_changed)
    logger.warning("purged tenant %s (%s)", schema, actor)


def delete_tenant_files(schema: str) -> None:
    """Delete everything under the tenant's storage prefix."""

    def walk(prefix: str) -> None:
        directories, files = default_storage.listdir(prefix)
        for name in files:
            default_storage.delete(f"{prefix}/{name}")
        for name in directories:
            walk(f"{prefix}/{name}")

    if default_storage.exists(schema):
        walk(schema)
