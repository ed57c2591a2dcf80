"""The authorization layer: *which rows may this person see* and *may this person do this to that object*.

Every view, API endpoint, task and command asks here. An object the actor may not see and an object that does
not exist give the same `NotFound`, so ids reveal nothing. Staff owners and admins reach every client; a staff
member only the clients they manage or are assigned to; a contact only their own organisation, and within it only
what their role's capabilities allow. Tasks and commands act as `SYSTEM`, which reaches everything in the schema
they run in (and nothing else: the schema is the tenant boundary).
"""

from dataclasses import dataclass
from functools import cached_property
from typing import Any, cast

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import UserSession
from portal.access.capabilities import REGISTRY
from portal.access.models import Invitation, Role, StaffMembership, StaffRole
from portal.access.visibility import Visibility
from portal.clients.models import ClientOrg, Contact


class NotFound(Http404):
    """Does not exist, or may not be seen: one error for both."""


@dataclass(frozen=True)
class Actor:
    """Who is acting: a signed-in person of this portal, an API key of the provider's systems, or the system
    (tasks, commands). The one actor type of every service (the layers below the portal know it as
    `core.audit.Principal`). A key acts for the provider, like staff, over every client or the ones chosen for it
    (`client_orgs_for`), and never manages the portal; its scopes are checked by the API before any service runs."""

    user: Any = None
    is_system: bool = False
    api_key: Any = None  # `ApiKey`

    @cached_property
    def staff(self) -> StaffMembership | None:
        if self.user is None or not self.user.is_active:
            return None
        if "staff" in self.user._state.fields_cache:  # loaded with the user (`backends.PortalAuthenticationBackend`)
            return cast(StaffMembership | None, self.user._state.fields_cache["staff"])
        return StaffMembership.objects.filter(user=self.user).first()

    @cached_property
    def contact(self) -> Contact | None:
        if self.user is None or not self.user.is_active or self.staff is not None:
            return None
        if "contact" in self.user._state.fields_cache:
            return cast(Contact | None, self.user._state.fields_cache["contact"])
        return Contact.objects.select_related("client_org", "role").filter(user=self.user).first()

    @property
    def label(self) -> str:
        """Who, in a log line or a status reason."""
        if self.is_system:
            return "system"
        if self.api_key is not None:
            return f"API key “{self.api_key.name}”"
        return str(self.user.email) if self.user is not None else "anonymous"

    @property
    def staff_role(self) -> str | None:
        return self.staff.role if self.staff else None

    @property
    def is_staff(self) -> bool:
        return self.is_system or self.staff is not None or self.api_key is not None

    @property
    def manages_portal(self) -> bool:
        """Owners and admins: every client, the team, roles, settings."""
        return self.is_system or self.staff_role in (StaffRole.OWNER, StaffRole.ADMIN)

    @property
    def capabilities(self) -> frozenset[str]:
        """A contact's capabilities (staff are not limited by capabilities but by client scope)."""
        if self.contact is None or self.contact.client_org.archived_at is not None:
            return frozenset()
        return self.contact.role.capabilities & frozenset(REGISTRY)


SYSTEM = Actor(is_system=True)  # the only system actor (`core.audit.system()` hands it to the layers below)


def actor_for(user: Any) -> Actor:
    if not getattr(user, "is_authenticated", False):
        return Actor()
    return Actor(user=user)


# --- staff -----------------------------------------------------------------------------------------------------


def staff_role(user: Any) -> str | None:
    return actor_for(user).staff_role


def is_owner(user: Any) -> bool:
    return staff_role(user) == StaffRole.OWNER


# --- client organisations ----------------------------------------------------------------------------------------


def client_orgs_for(actor: Actor, *, include_archived: bool = False) -> QuerySet[ClientOrg]:
    """The organisations the actor may see."""
    orgs = ClientOrg.objects.select_related("account_manager")
    if not include_archived:
        orgs = orgs.filter(archived_at__isnull=True)
    if actor.manages_portal:
        return orgs
    if actor.api_key is not None:
        return orgs if actor.api_key.all_clients else orgs.filter(pk__in=actor.api_key.clients.values("pk"))
    if actor.staff is not None:
        return orgs.filter(Q(account_manager=actor.user) | Q(team=actor.user)).distinct()
    if actor.contact is not None and actor.capabilities:
        return orgs.filter(pk=actor.contact.client_org_id)
    return orgs.none()


def may_create_clients(actor: Actor) -> bool:
    """Owners and admins, and an API key that reaches every client (the provider's CRM creating its clients)."""
    return actor.manages_portal or (actor.api_key is not None and actor.api_key.all_clients)


def client_org_get_for(
    actor: Actor, org_id: int, *, capability: str | None = None, include_archived: bool = False
) -> ClientOrg:
    """The organisation, if the actor may see it (and, for a contact, holds `capability` there)."""
    org = client_orgs_for(actor, include_archived=include_archived).filter(pk=org_id).first()
    if org is None or (capability is not None and not may(actor, capability, org)):
        raise NotFound
    return org


def may(actor: Actor, capability: str, org: ClientOrg) -> bool:
    """May the actor do `capability` in this organisation? Staff may do everything in the clients they reach."""
    if capability not in REGISTRY:
        raise KeyError(f"unregistered capability {capability!r}")
    if actor.is_staff:
        return client_orgs_for(actor, include_archived=True).filter(pk=org.pk).exists()
    return actor.contact is not None and actor.contact.client_org_id == org.pk and capability in actor.capabilities


def may_see(actor: Actor, visibility: Visibility, *, capability: str | None = None) -> bool:
    """May the actor open an object with this visibility (and, for a contact, also hold `capability` in its
    organisation)? Staff: every object of the clients they reach, internal ones included; contacts: their own,
    not archived, organisation's objects that are not internal, for the capabilities they hold."""
    if visibility.internal and not actor.is_staff:
        return False
    if visibility.org_id is None:
        return actor.manages_portal
    if actor.is_staff:
        reached = client_orgs_for(actor, include_archived=True)
        return actor.manages_portal or reached.filter(pk=visibility.org_id).exists()
    if actor.contact is None or actor.contact.client_org_id != visibility.org_id:
        return False
    also = {capability} if capability else set()
    if {visibility.capability} | also <= actor.capabilities:
        return True
    owns = visibility.owner_id is not None and actor.user.pk == visibility.owner_id
    return owns and {visibility.owner_capability} | also <= actor.capabilities


def people_who_may_see(visibility: Visibility, *, capability: str | None = None) -> QuerySet[Any]:
    """Everyone active for whom `may_see` answers yes, in one query (the audience of an event)."""
    from accounts.models import User

    managers = Q(staff__role__in=[StaffRole.OWNER, StaffRole.ADMIN])
    if visibility.org_id is None:
        return User.objects.filter(managers, is_active=True)
    org_id = visibility.org_id
    who = managers | Q(staff__isnull=False) & (Q(managed_clients=org_id) | Q(assigned_clients=org_id))
    if not visibility.internal:
        also = {capability} if capability else set()
        all_roles = list(Role.objects.all())

        def holding(needed: set[str]) -> list[int]:
            return [role.pk for role in all_roles if needed <= role.capabilities & frozenset(REGISTRY)]

        contacts = Q(contact__client_org_id=org_id, contact__client_org__archived_at__isnull=True)
        who |= contacts & Q(contact__role__in=holding({visibility.capability} | also))
        if visibility.owner_id is not None:
            owner_roles = holding({visibility.owner_capability} | also)
            who |= contacts & Q(pk=visibility.owner_id, contact__role__in=owner_roles)
    return User.objects.filter(who, is_active=True).distinct()


# --- people --------------------------------------------------------------------------------------------------------


def contacts_for(actor: Actor, org: ClientOrg) -> QuerySet[Contact]:
    """The contacts of an organisation the actor may list (staff of that client, or contacts.view)."""
    if not may(actor, "contacts.view", org):
        return Contact.objects.none()
    return Contact.objects.filter(client_org=org).select_related("user", "role")


def contact_get_for(actor: Actor, org: ClientOrg, contact_id: int, *, capability: str = "contacts.view") -> Contact:
    if not may(actor, capability, org):
        raise NotFound
    contact = Contact.objects.filter(client_org=org, pk=contact_id).select_related("user", "role").first()
    if contact is None:
        raise NotFound
    return contact


def invitations_for(actor: Actor, org: ClientOrg | None) -> QuerySet[Invitation]:
    """Pending and past invitations: of an organisation (contacts.manage there), or of staff (managers)."""
    if org is None:
        return Invitation.objects.filter(kind="staff") if actor.manages_portal else Invitation.objects.none()
    if not may(actor, "contacts.manage", org):
        return Invitation.objects.none()
    return Invitation.objects.filter(client_org=org).select_related("role", "invited_by")


def invitation_get_for(actor: Actor, invitation_id: int) -> Invitation:
    invitation = Invitation.objects.select_related("client_org").filter(pk=invitation_id).first()
    if invitation is None or not may_manage_invitation(actor, invitation):
        raise NotFound
    return invitation


def may_manage_invitation(actor: Actor, invitation: Invitation) -> bool:
    """Staff invitations are the managers'; a contact's, whoever may manage that organisation's contacts."""
    if invitation.client_org is None:
        return actor.manages_portal
    return may(actor, "contacts.manage", invitation.client_org)


def roles_for(actor: Actor) -> QuerySet[Role]:
    """Contact roles: managers manage them; whoever may invite a contact may pick one."""
    return Role.objects.all() if actor.is_staff or "contacts.manage" in actor.capabilities else Role.objects.none()


def people_for(actor: Actor) -> QuerySet[Any]:
    """The people a member of staff may know of: the staff, and the contacts of the clients they reach."""
    from accounts.models import User

    if not actor.is_staff:
        return User.objects.none()
    orgs = client_orgs_for(actor, include_archived=True).values("pk")
    return User.objects.filter(Q(staff__isnull=False) | Q(contact__client_org__in=orgs)).order_by("full_name", "email")


def is_active_staff(user: Any) -> bool:
    """Whether `user` is an active member of the portal's staff (who may be assigned work or log time)."""
    return user is not None and user.is_active and hasattr(user, "staff")


def active_staff_for(actor: Actor) -> QuerySet[Any]:
    """The active members of staff, for staff choosing someone to assign work to or log time for."""
    from accounts.models import User

    if not actor.is_staff:
        return User.objects.none()
    return User.objects.filter(staff__isnull=False, is_active=True).order_by("full_name", "email")


def staff_for(actor: Actor) -> QuerySet[StaffMembership]:
    """The provider's staff, for those who manage the team."""
    if not actor.manages_portal:
        return StaffMembership.objects.none()
    return StaffMembership.objects.select_related("user").order_by("user__full_name", "user__email")


def staff_get_for(actor: Actor, membership_id: int) -> StaffMembership:
    membership = staff_for(actor).filter(pk=membership_id).first()
    if membership is None:
        raise NotFound
    return membership


def custom_role_get_for(actor: Actor, role_id: int) -> Role:
    """A custom role, for those who manage roles (default roles follow the registry and are not edited)."""
    role = Role.objects.filter(pk=role_id, is_default=False).first() if actor.manages_portal else None
    if role is None:
        raise NotFound
    return role


def sessions_for(actor: Actor) -> QuerySet[UserSession]:
    """A person's own live sessions (ended ones are deleted, expired ones not yet swept are left out); nobody
    lists anyone else's."""
    if actor.user is None:
        return UserSession.objects.none()
    return UserSession.objects.filter(user=actor.user, expire_date__gt=timezone.now()).defer("session_data")


def session_get_for(actor: Actor, session_id: int) -> UserSession:
    """One of the person's own sessions, by its `public_id` (pages never carry a session's key)."""
    session = next((session for session in sessions_for(actor) if session.public_id == session_id), None)
    if session is None:
        raise NotFound
    return session
