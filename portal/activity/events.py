"""The event types: what can happen, who may hear of it, and how people are told by default.

Each type names the capability a contact needs in the event's organisation to see it (staff see what they can
reach; `staff_only` types never reach contacts). Later features register their types here, as they register
capabilities, and the notification tests derive their expectations from this table and the access layer.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class EventType:
    code: str
    label: str | Promise
    capability: str  # what a contact needs in the organisation to be told
    staff_only: bool = False


EVENT_TYPES: dict[str, EventType] = {}


def register(
    code: str, *, label: str | Promise, capability: str = "organisation.view", staff_only: bool = False
) -> EventType:
    event_type = EventType(code, label, capability, staff_only)
    EVENT_TYPES[code] = event_type
    return event_type


COMMENT_ADDED = register("comment.added", label=_("New comments"))
NOTE_ADDED = register("note.added", label=_("Internal notes"), staff_only=True)
MENTIONED = register("comment.mentioned", label=_("Mentions of you"))
CONTACT_INVITED = register("contact.invited", label=_("Colleagues invited"), capability="contacts.manage")
CONTACT_JOINED = register("contact.joined", label=_("Colleagues who joined"), capability="contacts.view")
CONTACT_DEACTIVATED = register(
    "contact.deactivated", label=_("Colleagues whose access ended"), capability="contacts.manage"
)
CLIENT_CREATED = register("client.created", label=_("New clients"), staff_only=True)
CLIENT_ARCHIVED = register("client.archived", label=_("Archived clients"), staff_only=True)
