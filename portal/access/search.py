"""The top bar's search: a registry of searchable kinds (documents, clients, people …).

Each feature registers a provider that answers a query for an actor through its own scoped selectors, so a
person only ever finds what they may open; the search page lists the groups in registration order."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise

# Results per kind on the search page.
LIMIT = 10


@dataclass(frozen=True)
class Hit:
    title: str
    url: str
    detail: str = ""


@dataclass(frozen=True)
class Group:
    key: str
    label: str | Promise
    icon: str
    hits: list[Hit]


Provider = Callable[[Any, str, int], list[Hit]]
PROVIDERS: dict[str, tuple[str | Promise, str, Provider]] = {}


def register(key: str, label: str | Promise, icon: str, provider: Provider) -> Provider:
    if key in PROVIDERS:
        raise ValueError(f"search provider {key!r} registered twice")
    PROVIDERS[key] = (label, icon, provider)
    return provider


def search(actor: Any, query: str) -> list[Group]:
    """Every kind's hits for the query; kinds with none are left out."""
    query = query.strip()
    if not query:
        return []
    groups = [
        Group(key, label, icon, provider(actor, query, LIMIT)) for key, (label, icon, provider) in PROVIDERS.items()
    ]
    return [group for group in groups if group.hits]
