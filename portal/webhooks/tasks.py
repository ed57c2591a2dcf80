"""Celery tasks of the webhooks. Thin: the tenant task sends one delivery in its schema; the beat dispatcher looks in
every live portal for deliveries whose next attempt is due and queues them."""

from django_tenants.utils import tenant_context

from core.celery import app
from portal.webhooks import delivery
from tenants.lifecycle import LIVE_STATUSES
from tenants.models import Tenant
from tenants.tasks import TenantOnlyTask


@app.task(base=TenantOnlyTask, name="webhooks.deliver")
def deliver_task(delivery_id: int) -> bool | None:
    return delivery.attempt(delivery_id)


@app.task(name="webhooks.dispatch_due")
def dispatch_due_task() -> int:
    """Every half minute (Celery beat, public schema): one indexed query per live portal, and a task per delivery
    that is due. A delivery queued twice is sent once (`delivery.attempt` claims it)."""
    queued = 0
    for tenant in Tenant.objects.exclude(schema_name="public").filter(subscription__status__in=LIVE_STATUSES):
        with tenant_context(tenant):
            for delivery_id in delivery.due():
                deliver_task.delay(delivery_id)
                queued += 1
    return queued


@app.task(name="webhooks.purge_logs")
def purge_logs_task() -> int:
    """Daily (Celery beat, public schema): the old part of every portal's delivery logs."""
    deleted = 0
    for tenant in Tenant.objects.exclude(schema_name="public"):
        with tenant_context(tenant):
            deleted += delivery.purge_log()
    return deleted
