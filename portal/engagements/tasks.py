"""Celery beat for engagements: reminders of deliverables waiting for a decision longer than the portal's delay.
Thin: the tenant task calls one service in its schema; the dispatcher starts it for every portal that accepts writes."""

from django_tenants.utils import tenant_context

from core.celery import app
from portal.engagements.services import remind_waiting_decisions
from tenants.lifecycle import WRITABLE
from tenants.models import Tenant
from tenants.tasks import TenantOnlyTask


@app.task(base=TenantOnlyTask, name="engagements.remind")
def remind_task() -> int:
    return remind_waiting_decisions()


@app.task(name="engagements.dispatch_reminders")
def dispatch_reminders_task() -> int:
    """Every quarter of an hour (Celery beat, public schema): the reminders of every portal that accepts writes (in
    a read-only or suspended one nobody can decide, so a reminder would only nag)."""
    started = 0
    for tenant in Tenant.objects.exclude(schema_name="public").filter(subscription__status__in=WRITABLE):
        with tenant_context(tenant):
            remind_task.delay()
        started += 1
    return started
