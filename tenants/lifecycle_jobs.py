"""Time-driven lifecycle moves, run by Celery beat (see tenants.tasks)."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from billing.models import Subscription
from tenants.lifecycle import TenantStatus
from tenants.services import purge_due, tenant_change_status, tenant_purge

SYSTEM = "system"


def expire_trials() -> int:
    """Trials past their end become past due (the portal keeps working, with a banner)."""
    due = Subscription.objects.select_related("tenant").filter(
        status=TenantStatus.TRIALING, trial_ends_at__lte=timezone.now()
    )
    for subscription in due:
        tenant_change_status(
            actor=SYSTEM, tenant=subscription.tenant, status=TenantStatus.PAST_DUE, reason="trial ended"
        )
    return len(due)


def end_grace_periods() -> int:
    """Past-due portals become read-only once the grace period is over."""
    cutoff = timezone.now() - timedelta(days=settings.TENANT_PAST_DUE_GRACE_DAYS)
    due = Subscription.objects.select_related("tenant").filter(
        status=TenantStatus.PAST_DUE, status_changed_at__lte=cutoff
    )
    for subscription in due:
        tenant_change_status(
            actor=SYSTEM, tenant=subscription.tenant, status=TenantStatus.READ_ONLY, reason="grace period over"
        )
    return len(due)


def purge_expired() -> int:
    """Canceled portals are purged once their retention period is over."""
    tenants = purge_due()
    for tenant in tenants:
        tenant_purge(actor=SYSTEM, tenant=tenant)
    return len(tenants)
