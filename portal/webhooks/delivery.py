"""Delivering events to endpoints: queued after the event's commit, sent through Celery, retried with back-off.

- `queue_for_event` is the `portal.activity.outbound` sender: inside the fan-out's transaction it makes one
  delivery per enabled endpoint subscribed to the event's type and reaching its client (an endpoint of every
  client, or one whose chosen clients include it), then queues each for a first attempt after commit.
- `attempt` sends one due delivery. It claims the row first (pushing `next_attempt_at` a lease ahead under a
  row lock, SKIP LOCKED), so the beat dispatcher and a queued task never send the same delivery at once; the
  HTTP call runs outside any transaction. A 2xx answer delivers it; anything else schedules the next attempt.
- Back-off: the next attempt waits twice as long as the delivery has already been retrying (at least
  `WEBHOOK_RETRY_BASE_SECONDS`, at most `WEBHOOK_RETRY_MAX_DELAY_SECONDS`), so the waits grow threefold:
  30 s, 1 min, 3 min, 9 min... then every 12 hours, until `WEBHOOK_RETRY_FOR_SECONDS` (3 days) after it began
  (or was replayed); then it has failed. The wait lives in the database (`next_attempt_at`) and the beat task
  `webhooks.dispatch_due` sends what is due: never a long Celery countdown, which a Redis broker delivers again
  once it outlasts the visibility timeout.
- An endpoint failing every attempt for `WEBHOOK_DISABLE_AFTER_SECONDS` (2 days: less than one delivery's
  retries last, so a single event that cannot be delivered is enough) and at least
  `WEBHOOK_DISABLE_AFTER_FAILURES` attempts in a row is switched off, and the owners are told by e-mail
  (`services.endpoint_disable_failing`). Its pending deliveries wait; switched back on, each starts a fresh run
  of attempts at once.
"""

import json
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from portal.activity.events import EVENT_TYPES
from portal.activity.models import ActivityEvent
from portal.webhooks import signing, transport
from portal.webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from portal.webhooks.payloads import event_payload

USER_AGENT = "Portico-Webhooks/1.0"
# While an attempt runs, its delivery is not due again for this long: more than the transport's total timeout.
LEASE = timedelta(minutes=2)


def retry_window() -> timedelta:
    return timedelta(seconds=settings.WEBHOOK_RETRY_FOR_SECONDS)


def next_delay(retrying_for: timedelta) -> timedelta:
    """How long to wait after a failed attempt, for a delivery that has been retrying for `retrying_for`."""
    base = timedelta(seconds=settings.WEBHOOK_RETRY_BASE_SECONDS)
    ceiling = timedelta(seconds=settings.WEBHOOK_RETRY_MAX_DELAY_SECONDS)
    return min(ceiling, max(base, 2 * retrying_for))


def new_message_id() -> str:
    return "msg_" + secrets.token_hex(16)


def endpoints_wanting(event: ActivityEvent) -> QuerySet[WebhookEndpoint]:
    """The enabled endpoints that want this event: its type chosen, its client reached."""
    reach = Q(all_clients=True)
    if event.client_org_id is not None:
        reach |= Q(clients__pk=event.client_org_id)
    return WebhookEndpoint.objects.filter(reach, enabled=True, event_types__contains=[event.verb]).distinct()


def queue_for_event(event: ActivityEvent) -> list[int]:
    """The outbound sender (called once per event, inside the fan-out's transaction)."""
    if EVENT_TYPES[event.verb].audit_only:
        return []
    endpoints = list(endpoints_wanting(event))
    if not endpoints:
        return []
    payload = event_payload(event)
    now = timezone.now()
    queued = []
    for endpoint in endpoints:
        delivery, created = WebhookDelivery.objects.get_or_create(
            endpoint=endpoint, event_id=event.pk,
            defaults={"event_type": event.verb, "message_id": new_message_id(), "payload": payload,
                      "next_attempt_at": now, "retrying_since": now},
        )  # fmt: skip
        if created:
            queued.append(delivery.pk)
    send_soon(queued)
    return queued


def send_soon(delivery_ids: list[int]) -> None:
    """Queue a first attempt of each after commit (the beat dispatcher sends whatever a lost message misses)."""
    from portal.webhooks.tasks import deliver_task  # the tasks call this module: imported when first needed

    def queue() -> None:
        for pk in delivery_ids:
            deliver_task.delay(pk)

    if delivery_ids:
        transaction.on_commit(queue)


def _due_at(now: datetime) -> QuerySet[WebhookDelivery]:
    """Deliveries whose next attempt is due at `now`: pending, of an endpoint that is on."""
    return WebhookDelivery.objects.filter(
        status=DeliveryStatus.PENDING, next_attempt_at__lte=now, endpoint__enabled=True
    )


def _claim(delivery_id: int) -> WebhookDelivery | None:
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            _due_at(now)
            .select_for_update(of=("self",), skip_locked=True)
            .select_related("endpoint")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            return None
        delivery.next_attempt_at = now + LEASE
        delivery.save(update_fields=["next_attempt_at"])
    return delivery


def body_of(delivery: WebhookDelivery) -> bytes:
    return json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode()


def attempt(delivery_id: int) -> bool | None:
    """Send the delivery if it is due and nobody else is sending it: True when delivered, False when it failed
    (and is scheduled again or given up), None when there was nothing to do."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return None
    endpoint = delivery.endpoint
    now = timezone.now()
    body = body_of(delivery)
    in_use = signing.signing_secrets(endpoint.secret, endpoint.previous_secret, endpoint.previous_until, now)
    headers = {
        **signing.signed_headers(message_id=delivery.message_id, body=body, secrets_in_use=in_use, now=now),
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
    }
    try:
        answer = transport.send(endpoint.url, body, headers)
    except transport.UnsafeUrl as refused:
        answer = transport.Answer(status=None, error=refused.message)
    return _note(delivery, answer, headers, now)


def _note(delivery: WebhookDelivery, answer: transport.Answer, headers: dict[str, str], at: datetime) -> bool:
    delivered = answer.error is None and answer.status is not None and 200 <= answer.status < 300
    now = timezone.now()
    with transaction.atomic():
        locked = WebhookDelivery.objects.select_for_update().filter(pk=delivery.pk).first()
        if locked is None:  # its endpoint was deleted while it was being sent
            return delivered
        locked.attempts += 1
        WebhookAttempt.objects.create(
            delivery=locked, number=locked.attempts, at=at, url=delivery.endpoint.url, request_headers=headers,
            response_status=answer.status, response_excerpt=answer.body_excerpt, duration_ms=answer.duration_ms,
            error=(answer.error or "")[:300], succeeded=delivered,
        )  # fmt: skip
        locked.last_attempt_at = at
        locked.response_status = answer.status
        if delivered:
            locked.status, locked.next_attempt_at = DeliveryStatus.SUCCEEDED, None
        else:
            retrying_since = locked.retrying_since
            later = now + next_delay(now - retrying_since)
            if later > retrying_since + retry_window():
                locked.status, locked.next_attempt_at = DeliveryStatus.FAILED, None
            else:
                locked.next_attempt_at = later
        locked.save()
        _count(delivery.endpoint, delivered, now)
    return delivered


def _count(endpoint: WebhookEndpoint, delivered: bool, now: datetime) -> None:
    from portal.webhooks.services import endpoint_disable_failing  # the services queue through this module

    endpoints = WebhookEndpoint.objects.filter(pk=endpoint.pk)
    if delivered:
        endpoints.filter(failures_in_a_row__gt=0).update(failures_in_a_row=0, failing_since=None)
        return
    endpoints.update(failures_in_a_row=F("failures_in_a_row") + 1, failing_since=Coalesce("failing_since", now))
    current = endpoints.select_for_update().get()
    failing_for = now - (current.failing_since or now)
    enough = current.failures_in_a_row >= settings.WEBHOOK_DISABLE_AFTER_FAILURES
    if current.enabled and enough and failing_for >= timedelta(seconds=settings.WEBHOOK_DISABLE_AFTER_SECONDS):
        endpoint_disable_failing(endpoint=current)


def due(limit: int = 500) -> list[int]:
    """The deliveries the dispatcher should send now, the longest waiting first."""
    return list(_due_at(timezone.now()).order_by("next_attempt_at").values_list("pk", flat=True)[:limit])


def purge_log() -> int:
    """Delivered and failed deliveries older than `WEBHOOK_LOG_DAYS` go, with their attempts (the audit log keeps
    who changed what; the delivery log is for seeing what was sent lately). Pending ones stay."""
    before = timezone.now() - timedelta(days=settings.WEBHOOK_LOG_DAYS)
    finished = WebhookDelivery.objects.filter(created_at__lt=before).exclude(status=DeliveryStatus.PENDING)
    deleted, _by_model = finished.delete()
    return deleted
