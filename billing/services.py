"""Writers for billing (public schema)."""

from datetime import timedelta

from django.utils import timezone

from billing.models import Plan, Subscription
from core.audit import not_audited
from tenants.lifecycle import TenantStatus
from tenants.models import Tenant


@not_audited("reads only")
def default_plan() -> Plan:
    return Plan.objects.get(is_default=True)


@not_audited("part of tenant_provision: the subscription keeps when its trial started")
def subscription_start_trial(*, tenant: Tenant, plan: Plan | None = None) -> Subscription:
    plan = plan or default_plan()
    now = timezone.now()
    return Subscription.objects.create(
        tenant=tenant,
        plan=plan,
        status=TenantStatus.TRIALING,
        trial_ends_at=now + timedelta(days=plan.trial_days),
        status_changed_at=now,
    )
