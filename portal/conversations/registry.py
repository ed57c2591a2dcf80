"""Which models take comments. A model is enabled in one line, saying how to fetch it for a person (through
`portal.access`, so a comment is only ever read or written by someone who may see its target):

    comments.enable(ClientOrg, type_code="client", get_for=...)
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models

from portal.access.policy import Actor, may_see
from portal.access.visibility import visibility_of


@dataclass(frozen=True)
class Commentable:
    type_code: str
    model: type[models.Model]
    get_for: Callable[[Actor, int], Any]
    # Called in the comment's transaction, after it is recorded: (actor, target, comment). Requests use it to
    # stamp the first response and to move a request waiting on the client back to work.
    on_comment: Callable[[Actor, Any, Any], None] | None = None


COMMENTABLE: dict[str, Commentable] = {}


def enable(
    model: type[models.Model],
    *,
    type_code: str,
    get_for: Callable[[Actor, int], Any],
    on_comment: Callable[[Actor, Any, Any], None] | None = None,
) -> None:
    """Let people comment on `model`. Its organisation and who may see it come from its registered visibility
    (`portal.access.visibility`), the same rule its page and its events follow."""
    COMMENTABLE[type_code] = Commentable(type_code, model, get_for, on_comment)


def visible(actor: Actor, target: models.Model) -> bool:
    """May the actor see this target? The target's own rule, so staff-only targets stay staff-only."""
    return may_see(actor, visibility_of(target))


def commentable_for(instance: models.Model) -> Commentable:
    for entry in COMMENTABLE.values():
        if isinstance(instance, entry.model):
            return entry
    raise KeyError(f"{type(instance).__name__} does not take comments")
