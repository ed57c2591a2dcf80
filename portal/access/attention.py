"""What needs a person's attention: the registry behind "what needs you" on the home page.

Each feature registers a provider (documents: new documents since the last visit; conversations: unread
comments; later, engagements: decisions waiting, requests waiting on the client). A provider receives the actor and
returns the items it has for them, read through its own scoped selectors; the home page shows them in
registration order and never needs to know the features."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class Need:
    key: str
    title: str | Promise  # "3 unread comments"
    detail: str | Promise  # "on Quarterly report, Statement of work"
    url: str
    icon: str  # a Heroicons name
    count: int


Provider = Callable[[Any], list[Need]]
PROVIDERS: dict[str, Provider] = {}


def register(key: str, provider: Provider) -> Provider:
    """Add a provider once; registering a key twice is a programming error."""
    if key in PROVIDERS:
        raise ValueError(f"attention provider {key!r} registered twice")
    PROVIDERS[key] = provider
    return provider


def needs_for(actor: Any) -> list[Need]:
    return [need for provider in PROVIDERS.values() for need in provider(actor) if need.count]
