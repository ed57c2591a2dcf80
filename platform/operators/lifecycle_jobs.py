"""Time-driven lifecycle moves, run by Celery beat (see operators.tasks)."""

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from billing.models import Subscription
from core.audit import system
from operators.services import TenantError, purge_mark_due, tenant_change_status
from tenants.lifecycle import TenantStatus
from tenants.models import Tenant

logger = logging.getLogger(__name__)


def expire_trials() -> int:
    """Trials past their end become past due (the portal keeps working, with a banner)."""
    due = Subscription.objects.select_related("tenant").filter(
        status=TenantStatus.TRIALING, trial_ends_at__lte=timezone.now()
    )
    return sum(
        _move(subscription.tenant, TenantStatus.TRIALING, TenantStatus.PAST_DUE, "trial ended") for subscription in due
    )


def end_grace_periods() -> int:
    """Past-due portals become read-only once the grace period is over."""
    cutoff = timezone.now() - timedelta(days=settings.TENANT_PAST_DUE_GRACE_DAYS)
    due = Subscription.objects.select_related("tenant").filter(
        status=TenantStatus.PAST_DUE, status_changed_at__lte=cutoff
    )
    return sum(
        _move(subscription.tenant, TenantStatus.PAST_DUE, TenantStatus.READ_ONLY, "grace period over")
        for subscription in due
    )


def mark_purges() -> int:
    """Canceled portals whose retention period is over are marked for purge. Dropping them needs the owner's
    credentials, which Celery does not have: `manage.py purge_tenants` (a scheduled task) drops the marked ones."""
    marked = purge_mark_due()
    if marked:
        logger.info("marked %d canceled portal(s) for purge", marked)
    return marked


def _move(tenant: Tenant, expected: str, status: str, reason: str) -> bool:
    """One tenant's move, only from the state the job saw; one refusal does not stop the others."""
    try:
        subscription = tenant_change_status(
            actor=system(), tenant=tenant, status=status, reason=reason, expected=expected
        )
    except TenantError:
        logger.exception("lifecycle job could not move %s to %s", tenant.schema_name, status)
        return False
    return subscription.status == status
