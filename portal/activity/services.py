"""Recording events (inside the writer's transaction) and the notification preferences. Telling people happens
after commit, in Celery (`portal.activity.tasks.fan_out_task`, `portal.activity.fanout`)."""

from typing import Any

from django.db import models, transaction
from django.utils import timezone

from accounts.models import User
from core.audit import not_audited, recorded
from portal.access.policy import Actor
from portal.access.visibility import visibility_of
from portal.activity.events import EVENT_TYPES
from portal.activity.models import ActivityEvent, Frequency, Notification, NotificationPreference
from portal.activity.tasks import fan_out_task


@not_audited("builds an unsaved event; its caller saves and records it")
def new_event(
    *, user: Any, verb: str, target: models.Model, internal: bool = False, data: dict[str, Any] | None = None
) -> ActivityEvent:
    """The unsaved event of `verb` on `target` by `user` (None: the system), with what seeing the target requires
    (its registered visibility; `internal` makes it staff-only besides). Shared by `record` and the owner-only
    `history.record_at`."""
    if verb not in EVENT_TYPES:
        raise KeyError(f"unregistered event type {verb!r}")
    seen = visibility_of(target)
    return ActivityEvent(
        verb=verb,
        actor_id=user.pk if user is not None else None,
        actor_label=user.get_full_name() if user is not None else "Portico",
        target_type=target._meta.label_lower,
        target_id=target.pk,
        target_label=str(target)[:300],
        client_org_id=seen.org_id,
        capability=seen.capability,
        internal=seen.internal or internal or EVENT_TYPES[verb].staff_only,
        owner_id=seen.owner_id,
        owner_capability=seen.owner_capability,
        data=data or {},
    )


@not_audited("the recorder itself: the audited services call it")
def record(
    *, actor: Actor, verb: str, target: models.Model, internal: bool = False, data: dict[str, Any] | None = None
) -> ActivityEvent:
    """Record a change once, in the caller's transaction, with what seeing its target requires (asked of the
    target's registered visibility; `internal` makes it staff-only besides, as for a staff note on a shared
    object). People are told after commit, except of audit-only types."""
    event = new_event(user=actor.user, verb=verb, target=target, internal=internal, data=data)
    if actor.api_key is not None:  # the provider's systems, by the key's name
        event.actor_label = actor.label[:200]
    event.save()
    event_type = EVENT_TYPES[verb]
    recorded(verb=verb, actor=actor)
    if not event_type.audit_only:
        transaction.on_commit(lambda: fan_out_task.delay(event.pk))
    return event


@not_audited("a person's own reading state")
def notification_mark_read(*, actor: Actor, notification_id: int | None = None) -> int:
    """Mark one of the actor's notifications read, or all of them."""
    unread = Notification.objects.filter(user=actor.user, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=timezone.now())


@not_audited("a person's own notification preferences")
@transaction.atomic
def preferences_save(*, actor: Actor, frequencies: dict[str, str]) -> None:
    for event_type, frequency in frequencies.items():
        if event_type in EVENT_TYPES and frequency in Frequency.values:
            NotificationPreference.objects.update_or_create(
                user=actor.user, event_type=event_type, defaults={"frequency": frequency}
            )


@not_audited("a person's own notification preferences (the signed link of their own e-mail)")
@transaction.atomic
def unsubscribe(*, user: User, event_type: str | None) -> None:
    """Stop e-mails for one event type (or all): notifications stay in the portal."""
    for code in [event_type] if event_type else list(EVENT_TYPES):
        NotificationPreference.objects.update_or_create(
            user=user, event_type=code, defaults={"frequency": Frequency.IN_APP}
        )
