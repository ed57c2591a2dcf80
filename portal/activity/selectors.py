"""Reading the history, for a person: built on `portal.access` (the same scope as everything else)."""

from datetime import date, datetime
from typing import Any

from django.db.models import Count, Q, QuerySet

from accounts.models import User
from portal.access.policy import Actor, NotFound, client_orgs_for
from portal.activity.events import EVENT_TYPES, EventType, audit_only_types
from portal.activity.models import ActivityEvent, Frequency, Notification, NotificationPreference

DEFAULT_FREQUENCY = Frequency.INSTANT


def frequencies_for(user: User, event_types: list[str]) -> dict[str, str]:
    """How the person chose to hear of each of these event types (instant e-mail unless they chose otherwise), in
    one query: the preferences page lists them all."""
    chosen = dict(
        NotificationPreference.objects.filter(user=user, event_type__in=event_types).values_list(
            "event_type", "frequency"
        )
    )
    return {code: chosen.get(code, DEFAULT_FREQUENCY) for code in event_types}


def visible_events(actor: Actor, *, prefix: str = "") -> Q | None:
    """The condition on events (on `prefix`-ed fields, for a join) that the actor may see, from the rule recorded
    with each event: managers all; other staff, and API keys, those of the clients they reach (internal ones
    included; never the portal's own business, which concerns no client); a contact their organisation's
    events that are not internal, whose target needs a capability they hold, of the types they may be told
    of. None: nothing."""
    if actor.manages_portal:
        return Q()
    if actor.is_staff:
        orgs = client_orgs_for(actor, include_archived=True).values("pk")
        return Q(**{f"{prefix}client_org_id__in": orgs})
    if actor.contact is not None and actor.capabilities:
        held = sorted(actor.capabilities)
        seen = Q(**{f"{prefix}capability__in": held}) | Q(
            **{f"{prefix}owner_id": actor.user.pk, f"{prefix}owner_capability__in": held}
        )
        return seen & Q(**{
            f"{prefix}client_org_id": actor.contact.client_org_id,
            f"{prefix}internal": False,
            f"{prefix}verb__in": receivable_types(actor),
        })  # fmt: skip
    return None


def events_for(actor: Actor, *, audit: bool = False, **filters: Any) -> QuerySet[ActivityEvent]:
    """Events the actor may see. Timelines show news; the audit log (`audit`) adds the audit-only types."""
    condition = visible_events(actor)
    if condition is None:
        return ActivityEvent.objects.none()
    events = ActivityEvent.objects.filter(condition)
    if not audit:
        events = events.exclude(verb__in=audit_only_types())
    return filter_events(events, **filters)


def receivable_types(actor: Actor) -> list[str]:
    """The event types this person can be told of at all: staff every news type; a contact those that are not
    staff-only and whose own capability, if any, their role holds."""
    held = actor.capabilities

    def receivable(event_type: EventType) -> bool:
        if event_type.audit_only:
            return False
        if actor.is_staff:
            return True
        return not event_type.staff_only and (event_type.capability is None or event_type.capability in held)

    return [code for code, event_type in EVENT_TYPES.items() if receivable(event_type)]


def filter_events(
    events: QuerySet[ActivityEvent],
    *,
    client_org_id: int | None = None,
    target: tuple[str, int] | None = None,
    actor_id: int | None = None,
    verb: str | None = None,
    since: date | datetime | None = None,
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
    if isinstance(since, datetime):  # a moment (the API's `since`): from it on
        events = events.filter(created_at__gte=since)
    elif since:
        events = events.filter(created_at__date__gte=since)
    if until:
        events = events.filter(created_at__date__lte=until)
    return events


def notifications_for(actor: Actor) -> QuerySet[Notification]:
    """The actor's notifications of events they may still see (a role changed since is taken into account)."""
    condition = visible_events(actor, prefix="event__")
    if actor.user is None or condition is None:
        return Notification.objects.none()
    return Notification.objects.filter(condition, user=actor.user).select_related("event")


def notification_get_for(actor: Actor, notification_id: int) -> Notification:
    notification = notifications_for(actor).filter(pk=notification_id).first()
    if notification is None:
        raise NotFound
    return notification


def unread_by_capability(actor: Actor) -> dict[str, int]:
    """The actor's unread notifications counted per capability their event needed, in one query: the navigation
    shows each count beside the section it belongs to."""
    rows = (
        notifications_for(actor)
        .filter(read_at__isnull=True)
        .order_by()
        .values_list("event__capability")
        .annotate(n=Count("pk"))
    )
    return dict(rows)
