"""The status workflow of a request, in one place: which moves exist, who may make them, and what each is called.

    new → in_progress → waiting_on_client → in_progress … → resolved → closed
    resolved or closed → in_progress (reopen), within the portal's reopen window after the resolution

Staff make every move but reopening; the requester (or a colleague who sees all the organisation's requests)
reopens within the window, and closes a resolved request. A reply from the client to a request waiting on them
moves it back to in progress (`services.client_replied`)."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from portal.requests.models import Status


@dataclass(frozen=True)
class Move:
    to: str
    label: str | Promise
    by_staff: bool
    by_client: bool


MOVES: dict[str, tuple[Move, ...]] = {
    Status.NEW: (
        Move(Status.IN_PROGRESS, _("Start work"), by_staff=True, by_client=False),
        Move(Status.WAITING_ON_CLIENT, _("Ask the client"), by_staff=True, by_client=False),
        Move(Status.RESOLVED, _("Resolve"), by_staff=True, by_client=False),
    ),
    Status.IN_PROGRESS: (
        Move(Status.WAITING_ON_CLIENT, _("Ask the client"), by_staff=True, by_client=False),
        Move(Status.RESOLVED, _("Resolve"), by_staff=True, by_client=False),
    ),
    Status.WAITING_ON_CLIENT: (
        Move(Status.IN_PROGRESS, _("Resume work"), by_staff=True, by_client=False),
        Move(Status.RESOLVED, _("Resolve"), by_staff=True, by_client=False),
    ),
    Status.RESOLVED: (
        Move(Status.CLOSED, _("Close"), by_staff=True, by_client=True),
        Move(Status.IN_PROGRESS, _("Reopen"), by_staff=False, by_client=True),
    ),
    Status.CLOSED: (Move(Status.IN_PROGRESS, _("Reopen"), by_staff=False, by_client=True),),
}
REOPENED_FROM = frozenset({Status.RESOLVED, Status.CLOSED})


def move(from_status: str, to_status: str) -> Move | None:
    return next((candidate for candidate in MOVES.get(from_status, ()) if candidate.to == to_status), None)


def is_reopen(from_status: str, to_status: str) -> bool:
    return from_status in REOPENED_FROM and to_status == Status.IN_PROGRESS
