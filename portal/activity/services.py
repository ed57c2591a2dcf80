"""Recording events (inside the writer's transaction) and telling people of them (after commit, in Celery)."""

import logging
from collections.abc import Callable
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from accounts.models import User
from portal.access.policy import Actor
from portal.access.visibility import visibility_of
from portal.activity import outbound
from portal.activity.audience import audience
from portal.activity.events import EVENT_TYPES
from portal.activity.models import ActivityEvent, Channel, Delivery, Frequency, Notification, NotificationPreference

logger = logging.getLogger(__name__)

DEFAULT_FREQUENCY = Frequency.INSTANT


def record(
    *, actor: Actor, verb: str, target: models.Model, internal: bool = False, data: dict[str, Any] | None = None
) -> ActivityEvent:
    """Record a change once, in the caller's transaction, with what seeing its target requires (asked of the
    target's registered visibility; `internal` makes it staff-only besides, as for a staff note on a shared
    object). People are told after commit, except of audit-only types."""
    if verb not in EVENT_TYPES:
        raise KeyError(f"unregistered event type {verb!r}")
    event_type = EVENT_TYPES[verb]
    seen = visibility_of(target)
    user = actor.user
    event = ActivityEvent.objects.create(
        verb=verb,
        actor_id=user.pk if user is not None else None,
        actor_label=user.get_full_name() if user is not None else "Portico",
        target_type=target._meta.label_lower,
        target_id=target.pk,
        target_label=str(target)[:300],
        client_org_id=seen.org_id,
        capability=seen.capability,
        internal=seen.internal or internal or event_type.staff_only,
        data=data or {},
    )
    if not event_type.audit_only:
        from portal.activity.tasks import fan_out_task

        transaction.on_commit(lambda: fan_out_task.delay(event.pk))
    return event


def frequency_for(user: User, event_type: str) -> str:
    preference = NotificationPreference.objects.filter(user=user, event_type=event_type).first()
    return preference.frequency if preference else DEFAULT_FREQUENCY


@transaction.atomic
def fan_out(event_id: int) -> list[int]:
    """Tell everyone who may see the event, each by the way they chose; every (event, person, channel) is
    recorded, so running this again sends nothing twice. Returns the ids of e-mail deliveries to send."""
    event = ActivityEvent.objects.get(pk=event_id)
    if EVENT_TYPES[event.verb].audit_only:
        return []
    to_email = []
    now = timezone.now()
    people = list(audience(event))
    preferences = NotificationPreference.objects.filter(user__in=people, event_type=event.verb)
    chosen = dict(preferences.values_list("user_id", "frequency"))
    for user in people:
        Notification.objects.get_or_create(user=user, event=event)
        Delivery.objects.get_or_create(event=event, user=user, channel=Channel.IN_APP, defaults={"sent_at": now})
        frequency = chosen.get(user.pk, DEFAULT_FREQUENCY)
        if frequency == Frequency.INSTANT:
            delivery, _created = Delivery.objects.get_or_create(event=event, user=user, channel=Channel.EMAIL)
            if delivery.sent_at is None:
                to_email.append(delivery.pk)
        elif frequency == Frequency.DIGEST:
            Delivery.objects.get_or_create(event=event, user=user, channel=Channel.DIGEST)
    _, created = Delivery.objects.get_or_create(event=event, user=None, channel=Channel.WEBHOOK)
    if created:
        for sender in outbound.SENDERS:
            sender(event)
    return to_email


def notification_mark_read(*, actor: Actor, notification_id: int | None = None) -> int:
    """Mark one of the actor's notifications read, or all of them."""
    unread = Notification.objects.filter(user=actor.user, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=timezone.now())


@transaction.atomic
def preferences_save(*, actor: Actor, frequencies: dict[str, str]) -> None:
    for event_type, frequency in frequencies.items():
        if event_type in EVENT_TYPES and frequency in Frequency.values:
            NotificationPreference.objects.update_or_create(
                user=actor.user, event_type=event_type, defaults={"frequency": frequency}
            )


@transaction.atomic
def unsubscribe(*, user: User, event_type: str | None) -> None:
    """Stop e-mails for one event type (or all): notifications stay in the portal."""
    for code in [event_type] if event_type else list(EVENT_TYPES):
        NotificationPreference.objects.update_or_create(
            user=user, event_type=code, defaults={"frequency": Frequency.IN_APP}
        )


# Other history kept by the same retention rule registers its purge here (download records: portal.documents).
RETENTION_PURGES: list[Callable[[], int]] = []


def purge_events() -> int:
    """The daily retention purge of the current tenant: `activity_purge()`, the owner's SECURITY DEFINER function
    (migration 0004), deletes the events older than the retention floor that migration fixed, with their
    deliveries and notifications (the only deletion the history's trigger allows), then every registered
    history purges the same way. Returns the number of events deleted."""
    with transaction.atomic():
        purged = call_purge_function("activity_purge")
        for purge in RETENTION_PURGES:
            purge()
    return purged


def call_purge_function(name: str) -> int:
    """Call a retention purge function of the current tenant's schema (named with the schema, as a migration
    made it) and return what it deleted."""
    schema = connection.ops.quote_name(connection.schema_name)  # type: ignore[attr-defined]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {schema}.{connection.ops.quote_name(name)}()")
        return int(cursor.fetchone()[0])
