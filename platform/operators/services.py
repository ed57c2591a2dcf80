"""Writers for tenants: provisioning, lifecycle, branding, purge."""

import contextlib
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context

from accounts.services import user_create
from billing.models import Subscription
from billing.services import subscription_start_trial
from core.audit import Principal, not_audited
from portal.access.models import StaffMembership, StaffRole
from tenants.db_backend.base import verified_schemas
from tenants.lifecycle import TenantStatus, can_transition
from tenants.models import Domain, Tenant
from tenants.routing import routing_changed
from tenants.services import TenantError
from tenants.subdomains import schema_name_for, validate_subdomain
from tenants.template import create_tenant_schema, quote

logger = logging.getLogger(__name__)


class PurgeRefused(TenantError):
    """`tenant_purge` refused: `reason` says why in a few words (the command prints it)."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            _("Only a canceled portal past its retention period can be purged: %(why)s.") % {"why": reason}
        )
        self.reason = reason


@not_audited("computes a host name")
def portal_host(slug: str) -> str:
    return f"{slug}.{settings.ROOT_DOMAIN}"


@not_audited("creates the portal itself, before it has a history: the subscription and the log keep the moment")
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
@not_audited("public-schema lifecycle: the subscription keeps who, why and when (status_reason); logged")
def tenant_change_status(
    *, actor: Principal, tenant: Tenant, status: str, reason: str = "", expected: str | None = None
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
    subscription.status_reason = f"{actor.label}: {reason}".strip(": ")[:200]
    subscription.canceled_at = now if status == TenantStatus.CANCELED else None
    subscription.purge_due_at = None  # a mark for purge holds only for the cancellation that earned it
    subscription.save(update_fields=["status", "status_changed_at", "status_reason", "canceled_at", "purge_due_at"])
    logger.info("tenant %s is now %s (%s)", tenant.schema_name, status, subscription.status_reason)
    transaction.on_commit(routing_changed)
    return subscription


@not_audited("reads only")
def retention_cutoff(now: datetime | None = None) -> datetime:
    """Portals canceled at or before this moment have had their retention period."""
    return (now or timezone.now()) - timedelta(days=settings.TENANT_RETENTION_DAYS)


@not_audited("reads only")
def purge_due(now: datetime | None = None) -> list[Tenant]:
    """Canceled portals whose retention period is over, according to their subscription."""
    return list(
        Tenant.objects.filter(
            subscription__status=TenantStatus.CANCELED, subscription__canceled_at__lte=retention_cutoff(now)
        )
    )


@transaction.atomic
@not_audited("a mark that only asks for a purge (the subscription keeps when); tenant_purge decides")
def purge_mark_due(now: datetime | None = None) -> int:
    """Mark the portals due for purge (the hourly lifecycle job, as the runtime role, which cannot drop a schema).
    A mark only asks: `tenant_purge` checks the subscription again before dropping anything."""
    now = now or timezone.now()
    return Subscription.objects.filter(
        status=TenantStatus.CANCELED, canceled_at__lte=retention_cutoff(now), purge_due_at__isnull=True
    ).update(purge_due_at=now)


@not_audited("reads only")
def purge_marked() -> list[Tenant]:
    """The portals the lifecycle job marked for purge, longest-marked first."""
    return list(
        Tenant.objects.select_related("subscription")
        .filter(subscription__purge_due_at__isnull=False)
        .order_by("subscription__purge_due_at", "pk")
    )


@not_audited("clears the mark of a refused purge (the command prints the refusal)")
def purge_unmark(*, tenant: Tenant) -> None:
    """Clear a mark `tenant_purge` refused: the lifecycle job marks the portal again once it is really due."""
    Subscription.objects.filter(tenant=tenant).update(purge_due_at=None)


@not_audited("reads only")
def purge_refusal(subscription: Subscription, now: datetime | None = None) -> str | None:
    """Why this portal may not be purged now, or None when it may: it must be canceled, and canceled longer than
    TENANT_RETENTION_DAYS ago, according to its subscription in the public schema."""
    now = now or timezone.now()
    days = settings.TENANT_RETENTION_DAYS
    if subscription.status != TenantStatus.CANCELED:
        return _("not canceled (it is %(status)s)") % {"status": subscription.status}
    if subscription.canceled_at is None:
        return _("canceled, but no cancellation date is recorded")
    if subscription.canceled_at > retention_cutoff(now):
        return _("canceled on %(date)s, %(ago)d days ago: kept %(days)d days, until %(until)s") % {
            "date": f"{subscription.canceled_at:%Y-%m-%d %H:%M %Z}",
            "ago": (now - subscription.canceled_at).days,
            "days": days,
            "until": f"{subscription.canceled_at + timedelta(days=days):%Y-%m-%d %H:%M %Z}",
        }
    return None


@transaction.atomic
@not_audited("the portal's history is deleted with it: the command's output and the log keep the purge")
def tenant_purge(*, actor: Principal, tenant: Tenant) -> Subscription:
    """Delete a canceled tenant whose retention period is over: schema, files, rows. Irreversible. Needs the
    owner's credentials (`DROP SCHEMA`): `manage.py purge_tenants`. The subscription is checked again under its
    row lock, so a reactivation racing with the purge either wins or waits. Returns the subscription as it was."""
    subscription = Subscription.objects.select_for_update().get(tenant=tenant)
    refusal = purge_refusal(subscription)
    if refusal is not None:
        raise PurgeRefused(refusal)
    schema = tenant.schema_name
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {quote(schema)} CASCADE")
    tenant.delete(force_drop=False)
    verified_schemas.discard(schema)
    transaction.on_commit(lambda: delete_tenant_files(schema))
    transaction.on_commit(routing_changed)
    logger.warning("purged tenant %s (%s)", schema, actor.label)
    return subscription


@not_audited("part of tenant_purge, after its commit")
def delete_tenant_files(schema: str) -> None:
    """Delete everything under the tenant's storage prefix."""

    def walk(prefix: str) -> None:
        directories, files = default_storage.listdir(prefix)
        for name in files:
            default_storage.delete(f"{prefix}/{name}")
        for name in directories:
            walk(f"{prefix}/{name}")

    # Not `exists(schema)`: on S3 a prefix is no object, so it would always say no.
    with contextlib.suppress(FileNotFoundError):  # on disk, a tenant that never stored a file
        walk(schema)
