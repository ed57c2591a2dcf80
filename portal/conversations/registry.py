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


COMMENTABLE: dict[str, Commentable] = {}


def enable(
    model: type[models.Model],
    *,
    type_code: str,
    org_of: Callable[[Any], ClientOrg],
    get_for: Callable[[Actor, int], Any],
    capability: str = "organisation.view",
) -> None:
    COMMENTABLE[type_code] = Commentable(type_code, model, org_of, get_for, capability)


def commentable_for(instance: models.Model) -> Commentable:
    for entry in COMMENTABLE.values():
        if isinstance(instance, entry.model):
            return entry
    raise KeyError(f"{type(instance).__name__} does not take comments")
