"""Who is told of an event: the people who may open its target (the rule recorded with the event) and hold the
event type's capability, asked of `portal.access` in one query."""

from django.db.models import QuerySet

from accounts.models import User
from portal.access.policy import people_who_may_see
from portal.access.visibility import Visibility
from portal.activity.events import EVENT_TYPES
from portal.activity.models import ActivityEvent


def told_as(event: ActivityEvent, user_id: int) -> str:
    """The type a person is told of the event as: a more specific type the event names for them
    (`data["told_as"]`: people mentioned in a comment are told of the comment as a mention, by the comment's one
    event, so the comment is listed once everywhere), else the event's own."""
    for verb, people in event.data.get("told_as", {}).items():
        if user_id in people and verb in EVENT_TYPES:
            return str(verb)
    return event.verb


def audience(event: ActivityEvent) -> QuerySet[User]:
    """Everyone active who may see the event (or, for events addressed to some, those of them who may), except
    whoever did it and those the event excludes."""
    seen = Visibility(event.client_org_id, event.capability, event.internal, event.owner_id, event.owner_capability)
    people = people_who_may_see(seen, capability=EVENT_TYPES[event.verb].capability)
    people = people.exclude(pk=event.actor_id or 0)
    addressed = event.data.get("recipients")
    if addressed is not None:
        people = people.filter(pk__in=addressed)
    people = people.exclude(pk__in=event.data.get("excluded", []))  # e.g. told by a more specific event
    return people.order_by("pk")
