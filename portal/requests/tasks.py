"""Celery beat for requests: reminders before a due time is missed, and closing resolved requests after the reopen
window. Thin: each tenant task calls one service in its schema; the dispatchers start them for every live portal."""

from django_tenants.utils import tenant_context

from core.celery import app
from portal.requests.services import close_resolved, remind_due
from tenants.lifecycle import LIVE_STATUSES
from tenants.models import Tenant
from tenants.tasks import TenantOnlyTask


@app.task(base=TenantOnlyTask, name="requests.sweep")
def sweep_task() -> tuple[int, int]:
    return remind_due(), close_resolved()


@app.task(name="requests.dispatch_sweep")
def dispatch_sweep_task() -> int:
    """Every few minutes (Celery beat, public schema): the requests sweep of every live portal."""
    started = 0
    for tenant in Tenant.objects.exclude(schema_name="public").filter(subscription__status__in=LIVE_STATUSES):
        with tenant_context(tenant):
            sweep_task.delay()
        started += 1
    return started
