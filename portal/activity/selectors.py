"""Reading the history, for a person: built on `portal.access` (the same scope as everything else)."""

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from portal.access.policy import Actor, NotFound, client_orgs_for
from portal.activity.events import EVENT_TYPES
from portal.activity.models import ActivityEvent, Notification


def events_for(actor: Actor, **filters: Any) -> QuerySet[ActivityEvent]:
    """Events the actor may see: managers all; other staff those of their clients; a contact their
    organisation's events of the types their role may see, never internal ones."""
    events = ActivityEvent.objects.all()
    if actor.manages_portal:
        pass
    elif actor.is_staff:
        orgs = client_orgs_for(actor, include_archived=True).values("pk")
        events = events.filter(client_org_id__in=orgs)
    elif actor.contact is not None and actor.capabilities:
        events = events.filter(
            client_org_id=actor.contact.client_org_id, internal=False, verb__in=receivable_types(actor)
        )
    else:
        return events.none()
    return filter_events(events, **filters)


def receivable_types(actor: Actor) -> list[str]:
    """The event types this person can be told of at all: staff all; a contact those their role may see."""
    if actor.is_staff:
        return list(EVENT_TYPES)
    return [code for code, t in EVENT_TYPES.items() if not t.staff_only and t.capability in actor.capabilities]


def filter_events(
    events: QuerySet[ActivityEvent],
    *,
    client_org_id: int | None = None,
    target: tuple[str, int] | None = None,
    actor_id: int | None = None,
    verb: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[ActivityEvent]:
    if client_org_id is not None:
        events = events.filter(client_org_id=client_org_id)
    if target is not None:
        events = events.filter(target_type=target[0], target_id=target[1])
    if actor_id is not None:
        events = events.filter(actor_id=actor_id)
    if verb:
        events = events.filter(verb=verb)
    if since:
        events = events.filter(created_at__date__gte=since)
    if until:
        events = events.filter(created_at__date__lte=until)
    return events


def notifications_for(actor: Actor) -> QuerySet[Notification]:
    if actor.user is None:
        return Notification.objects.none()
    return Notification.objects.filter(user=actor.user).select_related("event")


def notification_get_for(actor: Actor, notification_id: int) -> Notification:
    notification = notifications_for(actor).filter(pk=notification_id).first()
    if notification is None:
        raise NotFound
    return notification


def unread_count(actor: Actor) -> int:
    return notifications_for(actor).filter(Q(read_at__isnull=True)).count()
