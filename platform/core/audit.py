"""Every write is audited or says why not.

Each public function of a `services` module wears exactly one of two marks (`tests/test_audit.py` walks them all):

- `@audited("type", ...)`: the function records an event of one of these types, with its `actor` (when it takes
  one), inside a transaction. The mark enforces it at every call: returning without such an event raises
  `AuditMissing`. Put the mark *under* `@transaction.atomic`, so the check runs inside the function's
  transaction and a write without its event is rolled back with it. (The mark opens no transaction itself:
  uploads and comments check and quarantine files before their writing transaction, on purpose.)
- `@not_audited("why")`: the reason it records nothing (reads only, a person's own preferences, history that
  is recorded elsewhere...). The mark only labels the function.

The layers below the portal (the tenancy kernel) cannot import the portal's event recorder: they call
`core.audit.record`, which hands the event to the recorder the portal installs at start-up
(`portal.activity.apps`), and act as `system()`, the portal's one system actor, when no person acts.
"""

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ParamSpec, Protocol, TypeVar

from django.db import transaction

P = ParamSpec("P")
R = TypeVar("R")

AUDITED = "audited_event_types"
NOT_AUDITED = "not_audited_reason"


class Principal(Protocol):
    """Who is acting: a person (`user`), later an API key, or the system (tasks, commands, jobs)."""

    @property
    def user(self) -> Any: ...

    @property
    def is_system(self) -> bool: ...

    @property
    def label(self) -> str: ...


class AuditMissing(RuntimeError):
    """An `@audited` function returned without recording its event with its actor (its write is rolled back)."""


# The calls of audited functions in progress in this context, innermost last; each collects the events recorded
# inside a transaction while it runs, as (type, actor) (an event of a nested call counts for the outer ones too).
_calls: ContextVar[tuple[list[tuple[str, Any]], ...]] = ContextVar("audited_calls", default=())


@contextmanager
def _collecting() -> Iterator[list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []
    token = _calls.set((*_calls.get(), seen))
    try:
        yield seen
    finally:
        _calls.reset(token)


def recorded(*, verb: str, actor: Principal) -> None:
    """The recorder tells the calls in progress that it wrote an event of type `verb` with `actor`. An event
    written outside a transaction (autocommit) counts for none: it would not stand or fall with the write."""
    if not transaction.get_connection().in_atomic_block:
        return
    for seen in _calls.get():
        seen.append((verb, actor))


def _marked(function: Any) -> bool:
    return hasattr(function, AUDITED) or hasattr(function, NOT_AUDITED)


def audited(*event_types: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """The function records an event of one of `event_types` with its `actor`, in its own transaction."""
    if not event_types:
        raise TypeError("@audited needs at least one event type")

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        if _marked(function):
            raise TypeError(f"{function.__qualname__} is marked twice")

        @functools.wraps(function)
        def call(*args: P.args, **kwargs: P.kwargs) -> R:
            with _collecting() as seen:
                result = function(*args, **kwargs)
            actor = kwargs.get("actor")
            if not any(verb in event_types and (actor is None or who == actor) for verb, who in seen):
                raise AuditMissing(
                    f"{function.__module__}.{function.__qualname__} recorded no {' or '.join(event_types)} event "
                    f"with its actor in a transaction (recorded: {[verb for verb, _who in seen] or 'nothing'})"
                )
            return result

        setattr(call, AUDITED, event_types)
        return call

    return decorate


def not_audited(reason: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """The function records no event, for `reason`."""
    if not reason.strip():
        raise TypeError("@not_audited needs a reason")

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        if _marked(function):
            raise TypeError(f"{function.__qualname__} is marked twice")
        setattr(function, NOT_AUDITED, reason)
        return function

    return decorate


# --- the recorder and the system actor, installed by the portal ------------------------------------------------

_installed: dict[str, Any] = {}


def install(*, recorder: Callable[..., Any], system: Principal) -> None:
    """Called once at start-up by the portal's activity app: its `record` and its system actor."""
    _installed["recorder"] = recorder
    _installed["system"] = system


def record(*, actor: Principal, verb: str, target: Any, data: dict[str, Any] | None = None) -> Any:
    """Record an event through the installed recorder, in the current schema and transaction (for code below
    the portal; the portal calls `portal.activity.services.record` itself)."""
    if "recorder" not in _installed:
        raise RuntimeError("no event recorder is installed (portal.activity is not among the installed apps)")
    return _installed["recorder"](actor=actor, verb=verb, target=target, data=data)


def system() -> Principal:
    """The system actor (tasks, commands, jobs): `portal.access.policy.SYSTEM`, the only one."""
    if "system" not in _installed:
        raise RuntimeError("no system actor is installed (portal.activity is not among the installed apps)")
    return _installed["system"]
