"""Who is told of an event: the people who may open its target (the rule recorded with the event) and hold the
event type's capability, asked of `portal.access` in one query."""

from django.db.models import QuerySet

from accounts.models import User
from portal.access.policy import people_who_may_see
from portal.access.visibility import Visibility
from portal.activity.events import EVENT_TYPES
from portal.activity.models import ActivityEvent


def audience(event: ActivityEvent) -> QuerySet[User]:
    """Everyone active who may see the event (or, for events addressed to some, those of them who may), except
    whoever did it and those the event excludes."""
    seen = Visibility(event.client_org_id, event.capability, event.internal)
    people = people_who_may_see(seen, capability=EVENT_TYPES[event.verb].capability)
    people = people.exclude(pk=event.actor_id or 0)
    addressed = event.data.get("recipients")
    if addressed is not None:
        people = people.filter(pk__in=addressed)
    people = people.exclude(pk__in=event.data.get("excluded", []))  # e.g. told by a more specific event
    return people.order_by("pk")
