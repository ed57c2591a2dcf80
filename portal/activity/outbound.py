"""The hook point for outbound webhooks: each event is handed once to every registered sender after commit.

The API issue registers the Standard Webhooks sender (endpoints, signing, retries, delivery log); tests
register a double. A sender receives the event and must queue its own work (it runs inside the fan-out task)."""

from collections.abc import Callable

from portal.activity.models import ActivityEvent

Sender = Callable[[ActivityEvent], object]
SENDERS: list[Sender] = []


def register(sender: Sender) -> Sender:
    SENDERS.append(sender)
    return sender


def unregister(sender: Sender) -> None:
    SENDERS.remove(sender)
