"""Celery tasks of the event backbone. Thin: each calls one service, inside its tenant's schema."""

import logging
import smtplib
import zoneinfo

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.celery import app
from core.mail import delivery_connection
from portal.access.policy import actor_for
from portal.activity import digest
from portal.activity.emails import event_email
from portal.activity.fanout import fan_out
from portal.activity.models import Delivery
from portal.activity.retention import purge_events
from portal.activity.selectors import events_for
from tenants.lifecycle import TenantStatus
from tenants.models import Tenant
from tenants.tasks import TenantOnlyTask

logger = logging.getLogger(__name__)
TRANSIENT = (smtplib.SMTPException, ConnectionError, TimeoutError, OSError)


@app.task(base=TenantOnlyTask, name="activity.fan_out")
def fan_out_task(event_id: int) -> int:
    deliveries = fan_out(event_id)  # committed: the deliveries exist before their e-mails are queued
    for delivery_id in deliveries:
        send_event_email_task.delay(delivery_id)
    return len(deliveries)


@app.task(
    base=TenantOnlyTask, name="activity.send_event_email", autoretry_for=TRANSIENT, retry_backoff=True,
    retry_backoff_max=600, max_retries=8,
)  # fmt: skip
def send_event_email_task(delivery_id: int) -> bool:
    """Send one event e-mail; a retry after a failure, or a duplicate message, never sends it twice: the
    delivery stays locked until the send is recorded, so a second copy of the task waits, then sees it sent.

    Whether the person may still see the event is asked again at each attempt, not only at fan-out: between the
    two (a queue, retries backing off) they may have been deactivated, their role may have lost the capability,
    or their organisation may have been archived. Then nothing is sent and the delivery is marked done, so no
    retry or duplicate tries again (as the digest drops what its reader may no longer see)."""
    Delivery.objects.filter(pk=delivery_id).update(attempts=F("attempts") + 1)
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update(of=("self",)).select_related("event", "user").get(pk=delivery_id)
        if delivery.sent_at is not None or delivery.user is None:
            return False
        user = delivery.user
        if not user.is_active or not events_for(actor_for(user)).filter(pk=delivery.event_id).exists():
            delivery.sent_at = timezone.now()
            delivery.save(update_fields=["sent_at"])
            return False
        message = event_email(delivery.user, delivery.event)
        message.connection = delivery_connection()  # this task is the Celery hop: send now, retry here on failure
        message.send()  # raises on a transient failure: the lock is released and Celery retries
        delivery.sent_at = timezone.now()
        delivery.save(update_fields=["sent_at"])
    return True


@app.task(base=TenantOnlyTask, name="activity.daily")
def daily_task() -> int:
    """Once a day per tenant, at its digest hour: the digests, then (whatever they did) the retention purge."""
    try:
        return digest.send_digests()
    finally:
        purge_events()


@app.task(name="activity.dispatch_daily")
def dispatch_daily_task() -> int:
    """Hourly (Celery beat, public schema): start the daily work of every live tenant whose local hour is its
    digest hour."""
    started = 0
    now = timezone.now()
    live = Tenant.objects.exclude(schema_name="public").filter(
        subscription__status__in=[
            TenantStatus.TRIALING,
            TenantStatus.ACTIVE,
            TenantStatus.PAST_DUE,
            TenantStatus.READ_ONLY,
        ]
    )
    for tenant in live:
        if now.astimezone(zoneinfo.ZoneInfo(tenant.time_zone)).hour == tenant.digest_hour:
            with tenant_context(tenant):
                daily_task.delay()
            started += 1
    return started
