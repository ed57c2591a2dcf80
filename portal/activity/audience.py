"""Who is told of an event: exactly the people who may see its target, asked of `portal.access`."""

from typing import Any

from accounts.models import User
from portal.access.policy import actor_for, may
from portal.activity.events import EVENT_TYPES
from portal.activity.models import ActivityEvent
from portal.clients.models import ClientOrg


def may_see(user: Any, event: ActivityEvent, org: ClientOrg | None) -> bool:
    """May this person see the event? The same answer as the access layer gives for its organisation."""
    event_type = EVENT_TYPES[event.verb]
    viewer = actor_for(user)
    if viewer.staff is None and (event.internal or event_type.staff_only or org is None):
        return False
    if org is None:
        return viewer.manages_portal
    return may(viewer, event_type.capability, org)


def audience(event: ActivityEvent) -> list[User]:
    """Everyone active who may see the event (or, for events addressed to some, those of them who may), except
    whoever did it and those the event excludes."""
    org = ClientOrg.objects.filter(pk=event.client_org_id).first() if event.client_org_id else None
    people = User.objects.filter(is_active=True).exclude(pk=event.actor_id or 0)
    addressed = event.data.get("recipients")
    if addressed is not None:
        people = people.filter(pk__in=addressed)
    people = people.exclude(pk__in=event.data.get("excluded", []))  # e.g. told by a more specific event
    people = people.select_related("staff", "contact__role", "contact__client_org").order_by("pk")
    return [user for user in people if may_see(user, event, org)]
