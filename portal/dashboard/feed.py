"""The home page's "Recent activity": the latest events the person may see, read through the history's own
scope (`portal.activity.selectors.events_for`): a contact, their organisation's news; staff, the news of the
clients they reach. Any feature that records events (documents, comments, later engagements) shows up here
without this module knowing it."""

from dataclasses import dataclass

from portal.access.policy import Actor, client_orgs_for
from portal.access.visibility import KINDS
from portal.activity.links import existing_targets
from portal.activity.models import ActivityEvent
from portal.activity.selectors import events_for

SIZE = 10


@dataclass(frozen=True)
class Item:
    event: ActivityEvent
    url: str | None  # the target's page while it exists
    client: str = ""  # for staff, who follow several clients: which one it is about


def recent_activity(actor: Actor, *, size: int = SIZE) -> list[Item]:
    """The latest `size` events about clients (staff: not the portal's own business, such as staff invitations,
    which the audit log shows), each linking to its target's page while the target exists."""
    events = events_for(actor)
    if actor.is_staff:
        events = events.filter(client_org_id__isnull=False)
    latest = list(events[:size])
    existing = existing_targets(latest)  # one query, whatever the events and their kinds
    clients: dict[int, str] = {}
    if actor.is_staff:
        ids = {event.client_org_id for event in latest if event.client_org_id is not None}
        reached = client_orgs_for(actor, include_archived=True).filter(pk__in=ids).select_related(None)
        clients = dict(reached.values_list("pk", "name"))
    return [
        Item(
            event,
            KINDS[event.target_type].page(event.target_id, event.client_org_id)
            if (event.target_type, event.target_id) in existing
            else None,
            clients.get(event.client_org_id or 0, ""),
        )
        for event in latest
    ]
