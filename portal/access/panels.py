"""Dashboard panels: the registry behind the home page's dashboard and the sections other features add to a page.

A feature registers a provider for a place ("home": the client dashboard for a contact, the staff dashboard for
staff; "project": sections of a project's page, such as its requests). A provider receives the actor and the
place's scope (on the home page, the client organisation a member of staff chose, or None; on a project page, the
project) and returns the panels it has for them, read through its own scoped selectors: a template and its
context. The page shows them in registration order and never needs to know the features, so features that may
not import each other (engagements, requests) still share a dashboard."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

PLACES = ("home", "project")


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    wide: bool = False  # spans the dashboard's two columns


Provider = Callable[[Any, Any], list[Panel]]
PROVIDERS: dict[str, dict[str, Provider]] = {place: {} for place in PLACES}


def register(place: str, key: str, provider: Provider) -> Provider:
    """Add a provider to a place once; an unknown place or a key registered twice is a programming error."""
    if place not in PROVIDERS:
        raise ValueError(f"unknown panel place {place!r}")
    if key in PROVIDERS[place]:
        raise ValueError(f"panel provider {key!r} registered twice for {place!r}")
    PROVIDERS[place][key] = provider
    return provider


def panels_for(place: str, actor: Any, scope: Any = None) -> list[Panel]:
    return [panel for provider in PROVIDERS[place].values() for panel in provider(actor, scope)]
