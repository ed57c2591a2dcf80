"""Where an event leads: its item's own page, from the visibility registry (`portal.access.visibility.register(...,
page=...)`), for the notification centre, the e-mails, the digest and "what needs you" alike. Only an event whose
target no longer exists falls back, to its organisation's page (or the notification centre)."""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import CharField, QuerySet, Value
from django.urls import reverse

from portal.access.visibility import KINDS
from portal.activity.models import ActivityEvent


def existing_targets(events: Iterable[ActivityEvent]) -> set[tuple[str, int]]:
    """(target type, id) of the events' targets that still exist, in one query whatever the number of events and
    of kinds of target among them (a UNION of one SELECT per kind)."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for event in events:
        if event.target_type in KINDS:
            wanted[event.target_type].add(event.target_id)
    selects: list[QuerySet[Any]] = [
        KINDS[label]
        .model._default_manager.filter(pk__in=ids)
        .order_by()
        .annotate(target_kind=Value(label, output_field=CharField()))
        .values_list("target_kind", "pk")
        for label, ids in sorted(wanted.items())
    ]
    if not selects:
        return set()
    first, *others = selects
    return {(str(label), int(pk)) for label, pk in (first.union(*others, all=True) if others else first)}


def _path(event: ActivityEvent, exists: bool) -> str:
    if exists:
        page = KINDS[event.target_type].page(event.target_id, event.client_org_id)
        comment = event.data.get("comment_id")
        return f"{page}#comment-{comment}" if comment else page  # a comment: its place in the thread
    if event.client_org_id:
        return reverse("clients:detail", kwargs={"org_id": event.client_org_id})
    return reverse("activity:notifications")


def event_paths(events: Iterable[ActivityEvent]) -> dict[int, str]:
    """Each event's link (a path on the portal), by event id, in one query."""
    events = list(events)
    existing = existing_targets(events)
    return {event.pk: _path(event, (event.target_type, event.target_id) in existing) for event in events}


def event_path(event: ActivityEvent) -> str:
    return event_paths([event])[event.pk]
