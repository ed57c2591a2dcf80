"""Which models take comments. A model is enabled in one line, saying how to find its organisation and how to
fetch it for a person (through `portal.access`, so a comment is only ever read or written by someone who may
see its target):

    comments.enable(ClientOrg, type_code="client", org_of=lambda org: org, get_for=...)
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models

from portal.access.policy import Actor
from portal.clients.models import ClientOrg


@dataclass(frozen=True)
class Commentable:
    type_code: str
    model: type[models.Model]
    org_of: Callable[[Any], ClientOrg]
    get_for: Callable[[Actor, int], Any]
    capability: str
    # Targets that are themselves staff-only (an internal folder's document): every comment on them is internal.
    internal_of: Callable[[Any], bool]


COMMENTABLE: dict[str, Commentable] = {}


def enable(
    model: type[models.Model],
    *,
    type_code: str,
    org_of: Callable[[Any], ClientOrg],
    get_for: Callable[[Actor, int], Any],
    capability: str = "organisation.view",
    internal_of: Callable[[Any], bool] = lambda target: False,
) -> None:
    COMMENTABLE[type_code] = Commentable(type_code, model, org_of, get_for, capability, internal_of)


def visible(entry: Commentable, actor: Actor, target: models.Model) -> bool:
    """May the actor see this target? Asked of the model's own `get_for` (portal.access), not just its
    organisation, so staff-only targets stay staff-only."""
    from portal.access.policy import NotFound

    try:
        entry.get_for(actor, target.pk)
    except NotFound:
        return False
    return True


def commentable_for(instance: models.Model) -> Commentable:
    for entry in COMMENTABLE.values():
        if isinstance(instance, entry.model):
            return entry
    raise KeyError(f"{type(instance).__name__} does not take comments")
