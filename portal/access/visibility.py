"""What seeing an object requires, derived from the object itself.

Every kind of object people can be told about registers here how its visibility follows from the object (its
client organisation, the capability a contact needs there, whether it is internal to staff) and which page shows
it. The selector that fetches such an object for a person checks this same rule (`policy.may_see`), so "may open
its page" and "may be told of it" are one answer. Events copy the rule when they are recorded, so timelines
filter in SQL and an event about a deleted object keeps the rule it was recorded with.

    visibility.register(Document, visibility=lambda d: Visibility(d.folder.client_org_id, "documents.view",
                        d.folder.internal), page=lambda pk, org_id: reverse("documents:detail", args=[pk]))
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models


@dataclass(frozen=True)
class Visibility:
    """Who may see an object: staff who reach `org_id` (owners and admins: every client; `None`: the portal's
    own business, owners and admins only), and, unless `internal`, the organisation's contacts who hold
    `capability` there, and the one contact `owner_id` (a user id) when they hold `owner_capability` there (a
    request is seen by its requester, and by the colleagues who may see all the organisation's requests)."""

    org_id: int | None
    capability: str = "organisation.view"
    internal: bool = False
    owner_id: int | None = None
    owner_capability: str = ""


@dataclass(frozen=True)
class TargetKind:
    model: type[models.Model]
    visibility: Callable[[Any], Visibility]
    # The object's page, from its id and its organisation's id (kept with events, so this works after deletion).
    page: Callable[[int, int | None], str]


KINDS: dict[str, TargetKind] = {}


def register(
    model: type[models.Model], *, visibility: Callable[[Any], Visibility], page: Callable[[int, int | None], str]
) -> TargetKind:
    kind = TargetKind(model, visibility, page)
    KINDS[model._meta.label_lower] = kind
    return kind


def kind_of(target: models.Model | str) -> TargetKind:
    label = target if isinstance(target, str) else target._meta.label_lower
    if label not in KINDS:
        raise KeyError(f"{label} has no registered visibility (portal.access.visibility.register)")
    return KINDS[label]


def visibility_of(target: models.Model) -> Visibility:
    return kind_of(target).visibility(target)
