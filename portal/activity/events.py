"""The event types: what can happen, who may hear of it, and how people are told by default.

Who is told of an event is decided by its target: exactly the people who may open the target
(`portal.access.visibility`, recorded with the event) and who hold the type's own `capability`, when it names
one (inviting a colleague is news for those who manage contacts, not for everyone who can see the organisation).
`staff_only` types never reach contacts. `audit_only` types (downloads) are history, not news: they appear in
the staff audit log and its CSV, and are never fanned out to notifications, digests, e-mails or webhooks.
Later features register their types here, as they register capabilities; the notification tests derive their
expectations from this table and from what each person's browser is allowed to open.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class EventType:
    code: str
    label: str | Promise
    capability: str | None  # what a contact needs besides seeing the target (None: seeing the target is enough)
    staff_only: bool = False
    audit_only: bool = False
    # A way people are told of other events (a mention), never recorded itself: nothing to subscribe a webhook to.
    told_only: bool = False


EVENT_TYPES: dict[str, EventType] = {}


def register(
    code: str,
    *,
    label: str | Promise,
    capability: str | None = None,
    staff_only: bool = False,
    audit_only: bool = False,
    told_only: bool = False,
) -> EventType:
    event_type = EventType(code, label, capability, staff_only, audit_only, told_only)
    EVENT_TYPES[code] = event_type
    return event_type


def audit_only_types() -> list[str]:
    return [code for code, event_type in EVENT_TYPES.items() if event_type.audit_only]


COMMENT_ADDED = register("comment.added", label=_("New comments"))
NOTE_ADDED = register("note.added", label=_("Internal notes"), staff_only=True)
# People a comment mentions are told of its one event (comment.added or note.added) as this type, with their
# preference for it (`audience.told_as`); events recorded before that was so carry this verb themselves.
MENTIONED = register("comment.mentioned", label=_("Mentions of you"), told_only=True)
CONTACT_INVITED = register("contact.invited", label=_("Colleagues invited"), capability="contacts.manage")
CONTACT_JOINED = register("contact.joined", label=_("Colleagues who joined"), capability="contacts.view")
CONTACT_DEACTIVATED = register(
    "contact.deactivated", label=_("Colleagues whose access ended"), capability="contacts.manage"
)
CLIENT_CREATED = register("client.created", label=_("New clients"), staff_only=True)
CLIENT_ARCHIVED = register("client.archived", label=_("Archived clients"), staff_only=True)
# A contact invited an address that already has an account (or a pending invitation) in the portal: the contact
# is not told (that would let client admins test who else is a client), the provider's staff are.
INVITATION_EXISTING_ACCOUNT = register(
    "invitation.existing_account", label=_("Invitations to existing accounts"), staff_only=True
)

# Audit-only: changes to who may do what, and to the portal's own settings. History for the staff audit log (and
# its CSV), never news; their targets are the portal's own business (owners and admins), or a client's.
STAFF_INVITED = register("staff.invited", label=_("Staff invited"), staff_only=True, audit_only=True)
STAFF_JOINED = register("staff.joined", label=_("Staff who joined"), staff_only=True, audit_only=True)
STAFF_ROLE_CHANGED = register("staff.role_changed", label=_("Staff role changes"), staff_only=True, audit_only=True)
STAFF_DEACTIVATED = register("staff.deactivated", label=_("Staff whose access ended"), staff_only=True, audit_only=True)
INVITATION_REVOKED = register("invitation.revoked", label=_("Revoked invitations"), staff_only=True, audit_only=True)
CONTACT_ROLE_CHANGED = register(
    "contact.role_changed", label=_("Contact role changes"), staff_only=True, audit_only=True
)
ROLE_CREATED = register("role.created", label=_("Custom roles created"), staff_only=True, audit_only=True)
ROLE_CHANGED = register("role.changed", label=_("Custom roles changed"), staff_only=True, audit_only=True)
SESSIONS_ENDED = register("sessions.ended", label=_("Sessions ended"), staff_only=True, audit_only=True)
CLIENT_UPDATED = register("client.updated", label=_("Client details changed"), staff_only=True, audit_only=True)
CLIENT_RESTORED = register("client.restored", label=_("Restored clients"), staff_only=True, audit_only=True)
TENANT_SECURITY_CHANGED = register(
    "tenant.security_changed", label=_("Security settings changed"), staff_only=True, audit_only=True
)
TENANT_BRANDING_CHANGED = register(
    "tenant.branding_changed", label=_("Branding changed"), staff_only=True, audit_only=True
)
