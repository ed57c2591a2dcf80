"""Where an event leads: its item's own page, from the visibility registry (`portal.access.visibility.register(...,
page=...)`), for the notification centre, the e-mails, the digest and "what needs you" alike. Only an event whose
target no longer exists falls back, to its organisation's page (or the notification centre)."""

from collections import defaultdict
from collections.abc import Iterable

from django.urls import reverse

from portal.access.visibility import KINDS
from portal.activity.models import ActivityEvent


def _existing(events: list[ActivityEvent]) -> set[tuple[str, int]]:
    """(target type, id) of the events' targets that still exist: one query per kind of target."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for event in events:
        if event.target_type in KINDS:
            wanted[event.target_type].add(event.target_id)
    found = set()
    for label, ids in wanted.items():
        manager = KINDS[label].model._default_manager
        found |= {(label, pk) for pk in manager.filter(pk__in=ids).values_list("pk", flat=True)}
    return found


def _path(event: ActivityEvent, exists: bool) -> str:
    if exists:
        page = KINDS[event.target_type].page(event.target_id, event.client_org_id)
        comment = event.data.get("comment_id")
        return f"{page}#comment-{comment}" if comment else page  # a comment: its place in the thread
    if event.client_org_id:
        return reverse("clients:detail", kwargs={"org_id": event.client_org_id})
    return reverse("activity:notifications")


def event_paths(events: Iterable[ActivityEvent]) -> dict[int, str]:
    """Each event's link (a path on the portal), by event id, in a query per kind of target."""
    events = list(events)
    existing = _existing(events)
    return {event.pk: _path(event, (event.target_type, event.target_id) in existing) for event in events}


def event_path(event: ActivityEvent) -> str:
    return event_paths([event])[event.pk]
