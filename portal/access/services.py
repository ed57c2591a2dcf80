"""Writers for people and access: invitations, roles, deactivation. Each checks with `portal.access.policy`
before it writes. Call inside the portal's schema."""

import hashlib
import secrets
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import User, UserSession, no_control_characters
from accounts.names import quoted
from accounts.services import directory_sync, user_create
from core.audit import audited, not_audited, record
from core.errors import DomainError
from portal.access.capabilities import REGISTRY
from portal.access.models import Invitation, InvitationKind, Role, StaffMembership, StaffRole
from portal.access.policy import Actor, NotFound, may, may_manage_invitation
from portal.clients.models import ClientOrg, Contact
from tenants.context import current_tenant
from tenants.urls_external import portal_url

INVITATION_TTL = timedelta(days=7)


class AccessError(DomainError):
    """A refused change, with a message for the person and the field it concerns."""


class InvitationPending(AccessError):
    """The address already has a pending invitation of the same scope: sending another replaces it (and its
    role), so it needs the person's confirmation of that very invitation (`replaces=<its id>`)."""

    def __init__(self, invitation: Invitation) -> None:
        role = invitation.role.name if invitation.role is not None else invitation.get_staff_role_display()
        sent = formats.date_format(timezone.localtime(invitation.sent_at), "DATETIME_FORMAT")
        super().__init__(
            _(
                "%(email)s already has a pending invitation (%(role)s, sent %(sent)s). Sending this one replaces "
                "it, and its link stops working: tick the box to replace it."
            )
            % {"email": invitation.email, "role": role, "sent": sent},
            field="replace",
        )
        self.invitation = invitation


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- invitations ---------------------------------------------------------------------------------------------------


def _check_not_member(email: str) -> None:
    user = User.objects.filter(email__iexact=email).first()
    if user is not None and user.is_active:
        raise AccessError(_("%(email)s already has an account in this portal.") % {"email": email}, field="email")


def _why_no_link(invitation: Invitation) -> str | None:
    """Why this invitation must not carry an acceptance link: the address has an active account here
    ("account"), or an earlier invitation elsewhere in the portal is still pending ("pending_invitation"; an
    expired one is not: its link no longer works). Staff are refused both up front; a contact is not told (see
    `invitation_create`)."""
    if User.objects.filter(email__iexact=invitation.email, is_active=True).exists():
        return "account"
    earlier = _pending(invitation.email, now=timezone.now()).filter(pk__lt=invitation.pk)
    return "pending_invitation" if earlier.exists() else None


def _open(email: str) -> QuerySet[Invitation]:
    """Invitations to `email` neither accepted nor revoked, expired or not (resending renews an expired one)."""
    return Invitation.objects.filter(email=email, accepted_at__isnull=True, revoked_at__isnull=True)


def _pending(email: str, *, now: datetime) -> QuerySet[Invitation]:
    """Invitations to `email` whose link still works: open and not expired."""
    return _open(email).filter(expires_at__gt=now)


def _send_invitation(invitation: Invitation, token: str) -> None:
    """The invitation e-mail: the acceptance link, or (see `_why_no_link`) what the address's owner should do
    instead. Decided when sending, so a resent invitation follows what is true then."""
    tenant = current_tenant()
    reason = _why_no_link(invitation)
    context = {
        "invitation": invitation,
        "link": portal_url(tenant, reverse("access:accept", args=[token])) if reason is None else "",
        "reason": reason,
        "sign_in_url": portal_url(tenant, reverse("account_login")),
        "password_reset_url": portal_url(tenant, reverse("account_reset_password")),
        "tenant": tenant,
        "site_name": tenant.portal_name,
        "current_site": {"name": tenant.portal_name, "domain": portal_url(tenant)},
        "expires_at": invitation.expires_at,
        "inviter": invitation.invited_by,
    }
    if invitation.invited_by is not None:
        subject = _("Invitation to %(portal)s from %(inviter)s") % {
            "portal": tenant.portal_name,
            "inviter": quoted(invitation.invited_by.get_full_name()),
        }
    else:
        subject = _("Invitation to %(portal)s") % {"portal": tenant.portal_name}
    template = "emails/invitation" if reason is None else "emails/invitation_not_needed"
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()), body=render_to_string(f"{template}.txt", context), to=[invitation.email]
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    message.send()


@transaction.atomic
@audited("contact.invited", "staff.invited")
def invitation_create(
    *,
    actor: Actor,
    email: str,
    full_name: str = "",
    client_org: ClientOrg | None = None,
    role: Role | None = None,
    staff_role: str = "",
    replaces: int | None = None,
) -> Invitation:
    """Invite a contact into `client_org` with `role`, or (no organisation) a member of staff with `staff_role`.

    A pending invitation of the same scope is replaced only when `replaces` names it: the one the person was
    shown and confirmed replacing (`InvitationPending` otherwise, also when another one is pending by now).
    Staff are told when the address already has an account or a pending invitation elsewhere. A contact is
    answered the same whether or not the address is known in the portal (or client admins could test who else
    is a client): the invitation is made as usual, its e-mail tells the address's owner what to do instead of
    carrying a link, and staff are told (`invitation.existing_account`)."""
    email = email.strip().lower()
    try:
        no_control_characters(full_name)
    except ValidationError as error:
        raise AccessError(error.messages[0], field="full_name") from None
    if client_org is None:
        if not actor.manages_portal:
            raise NotFound
        if staff_role not in StaffRole.values:
            raise AccessError(_("Choose a staff role."), field="staff_role")
        if staff_role == StaffRole.OWNER and actor.staff_role != StaffRole.OWNER and not actor.is_system:
            raise AccessError(_("Only an owner can invite another owner."), field="staff_role")
        kind = InvitationKind.STAFF
    else:
        if not may(actor, "contacts.manage", client_org):
            raise NotFound
        if client_org.archived_at is not None:
            raise AccessError(_("This client is archived: restore it before inviting anyone."))
        if role is None:
            raise AccessError(_("Choose a role."), field="role")
        if not actor.is_staff and not role.capabilities <= actor.capabilities:
            raise AccessError(_("You cannot give a colleague more rights than you have."), field="role")
        kind = InvitationKind.CONTACT
        staff_role = ""
    discreet = not actor.is_staff
    if not discreet:
        _check_not_member(email)
    now = timezone.now()
    pending = _pending(email, now=now)
    in_scope = Q(client_org=client_org) if client_org is not None else Q(kind=kind)
    if not discreet and pending.exclude(in_scope).exists():
        raise AccessError(
            _("%(email)s already has a pending invitation elsewhere in this portal.") % {"email": email}, field="email"
        )
    current = pending.filter(in_scope).select_related("role").first()
    if current is not None and current.pk != replaces:
        raise InvitationPending(current)
    _open(email).filter(in_scope).update(revoked_at=now)  # the confirmed replacement (or expired links)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        email=email,
        full_name=full_name.strip(),
        kind=kind,
        staff_role=staff_role,
        client_org=client_org,
        role=role,
        token_hash=_hash(token),
        invited_by=actor.user,
        sent_at=now,
        expires_at=now + INVITATION_TTL,
    )
    if client_org is not None:
        record(actor=actor, verb="contact.invited", target=invitation, data={"email": email})
    else:
        record(actor=actor, verb="staff.invited", target=invitation, data={"email": email, "role": staff_role})
    reason = _why_no_link(invitation) if discreet else None
    if client_org is not None and reason is not None:
        record(
            actor=actor,
            verb="invitation.existing_account",
            target=client_org,
            data={"email": email, "reason": reason},
        )
    transaction.on_commit(lambda: _send_invitation(invitation, token))
    return invitation


@transaction.atomic
@not_audited("a new link for an invitation whose sending was recorded; the row keeps its sending time")
def invitation_resend(*, actor: Actor, invitation: Invitation) -> Invitation:
    """A new link (the old one stops working) and a new expiry, sent again."""
    if not may_manage_invitation(actor, invitation):
        raise NotFound
    if not invitation.is_pending:
        raise AccessError(_("This invitation was already accepted or revoked."))
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation.token_hash = _hash(token)
    invitation.sent_at = now
    invitation.expires_at = now + INVITATION_TTL
    invitation.save(update_fields=["token_hash", "sent_at", "expires_at"])
    transaction.on_commit(lambda: _send_invitation(invitation, token))
    return invitation


@transaction.atomic
@audited("invitation.revoked")
def invitation_revoke(*, actor: Actor, invitation: Invitation) -> Invitation:
    if not may_manage_invitation(actor, invitation):
        raise NotFound
    if not invitation.is_pending:
        raise AccessError(_("This invitation was already accepted or revoked."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    record(actor=actor, verb="invitation.revoked", target=invitation, data={"email": invitation.email})
    return invitation


@not_audited("reads only (locks the invitation for the caller's transaction)")
def invitation_for_token(token: str) -> Invitation:
    """The pending, unexpired invitation of this link, or AccessError (one message for every reason)."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("client_org", "role")
        .filter(token_hash=_hash(token))
        .first()
    )
    if (
        invitation is None
        or not invitation.is_pending
        or invitation.expires_at <= timezone.now()
        or (invitation.client_org is not None and invitation.client_org.archived_at is not None)
    ):
        raise AccessError(_("This invitation link is invalid, was already used, or has expired."))
    return invitation


@transaction.atomic
@audited("contact.joined", "staff.joined")  # acted by the person accepting (no `actor` argument)
def invitation_accept(*, token: str, full_name: str, password: str) -> User:
    """Spend the invitation: the account (its e-mail verified by the link), then staff membership or contact."""
    invitation = invitation_for_token(token)
    _check_not_member(invitation.email)
    tenant = current_tenant()
    existing = User.objects.filter(email__iexact=invitation.email).first()
    if existing is not None:  # a deactivated person invited back
        user = existing
        user.full_name = full_name.strip() or user.full_name
        user.is_active = True
        user.set_password(password)
        user.save(update_fields=["full_name", "is_active", "password"])
        EmailAddress.objects.filter(user=user, email__iexact=invitation.email).update(verified=True)
        directory_sync(tenant=tenant, user=user)
    else:
        user = user_create(tenant=tenant, email=invitation.email, full_name=full_name, password=password, verified=True)
    if invitation.kind == InvitationKind.STAFF:
        Contact.objects.filter(user=user).delete()
        membership, _created = StaffMembership.objects.update_or_create(
            user=user, defaults={"role": invitation.staff_role}
        )
        record(actor=Actor(user=user), verb="staff.joined", target=membership, data={"role": membership.role})
    else:
        if invitation.client_org is None or invitation.role is None:  # excluded by the table's constraint
            raise AccessError(_("This invitation link is invalid, was already used, or has expired."))
        StaffMembership.objects.filter(user=user).delete()
        contact, _created = Contact.objects.update_or_create(
            user=user, defaults={"client_org": invitation.client_org, "role": invitation.role}
        )
        record(actor=Actor(user=user), verb="contact.joined", target=contact)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return user


# --- people ----------------------------------------------------------------------------------------------------------


def _may_manage_person(actor: Actor, user: User) -> bool:
    if actor.manages_portal:
        target = StaffMembership.objects.filter(user=user).first()
        return not (target and target.role == StaffRole.OWNER and actor.staff_role != StaffRole.OWNER)
    contact = Contact.objects.filter(user=user).select_related("client_org", "role").first()
    return contact is not None and _may_manage_contact(actor, contact)


def _may_manage_contact(actor: Actor, contact: Contact) -> bool:
    """Staff of the client manage its contacts; a contact with contacts.manage manages colleagues who hold no
    right they do not hold themselves (a delegated admin cannot demote or remove the client admin)."""
    if not may(actor, "contacts.manage", contact.client_org):
        return False
    return actor.is_staff or contact.role.capabilities <= actor.capabilities


@transaction.atomic
@audited("sessions.ended")
def end_sessions(*, actor: Actor, user: User, keep: str | None = None, only: str | None = None) -> int:
    """End the user's sessions (all, all but the session keyed `keep`, or just the one keyed `only`): signed out
    on their next request. Sessions are found by their user (each row carries it, whatever rotated its key).
    `actor` is the person themselves (signing out elsewhere, a new password) or whoever ended their access."""
    ended = _end_sessions(user=user, keep=keep, only=only)
    record(actor=actor, verb="sessions.ended", target=user, data={"ended": ended, "all": not keep and not only})
    return ended


def _end_sessions(*, user: User, keep: str | None = None, only: str | None = None) -> int:
    sessions = UserSession.objects.filter(user=user)
    if only:
        sessions = sessions.filter(session_key=only)
    if keep:
        sessions = sessions.exclude(session_key=keep)
    ended, _per_model = sessions.delete()
    return ended


@transaction.atomic
@audited("contact.deactivated", "staff.deactivated")
def person_deactivate(*, actor: Actor, user: User) -> User:
    """End a person's access at once: no sign-in, every session ended, off the portal directory."""
    if user == actor.user:
        raise AccessError(_("You cannot deactivate yourself."))
    if not _may_manage_person(actor, user):
        raise NotFound
    if not user.is_active:  # once: a second call (a retried API call) records nothing twice
        raise AccessError(_("This person's access has already ended."))
    user.is_active = False
    user.save(update_fields=["is_active"])
    contact = Contact.objects.select_related("client_org").filter(user=user).first()
    membership = StaffMembership.objects.filter(user=user).first()
    if contact is not None:
        record(actor=actor, verb="contact.deactivated", target=contact)
    elif membership is not None:
        record(actor=actor, verb="staff.deactivated", target=membership)
    _end_sessions(user=user)  # part of the deactivation recorded above
    directory_sync(tenant=current_tenant(), user=user)
    return user


@transaction.atomic
@audited("contact.role_changed")
def contact_change_role(*, actor: Actor, contact: Contact, role: Role) -> Contact:
    if not _may_manage_contact(actor, contact) or contact.user == actor.user:
        raise NotFound
    if not actor.is_staff and not role.capabilities <= actor.capabilities:
        raise AccessError(_("You cannot give a colleague more rights than you have."), field="role")
    before = contact.role.name
    contact.role = role
    contact.save(update_fields=["role"])
    record(actor=actor, verb="contact.role_changed", target=contact, data={"from": before, "to": role.name})
    return contact


@transaction.atomic
@audited("staff.role_changed")
def staff_change_role(*, actor: Actor, membership: StaffMembership, role: str) -> StaffMembership:
    if not actor.manages_portal:
        raise NotFound
    if StaffRole.OWNER in (role, membership.role) and actor.staff_role != StaffRole.OWNER:
        raise AccessError(_("Only an owner can make or unmake an owner."), field="role")
    other_owners = StaffMembership.objects.filter(role=StaffRole.OWNER).exclude(pk=membership.pk)
    if membership.role == StaffRole.OWNER and role != StaffRole.OWNER and not other_owners.exists():
        raise AccessError(_("A portal keeps at least one owner."), field="role")
    before = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    record(actor=actor, verb="staff.role_changed", target=membership, data={"from": before, "to": role})
    return membership


@transaction.atomic
@not_audited("a person's own display name")
def profile_update(*, actor: Actor, full_name: str) -> User:
    """A person changes their own profile."""
    user: User = actor.user
    user.full_name = full_name.strip()
    user.full_clean(exclude=["password"], validate_unique=False)
    user.save(update_fields=["full_name"])
    return user


# --- roles -----------------------------------------------------------------------------------------------------------


@transaction.atomic
@audited("role.created", "role.changed")
def role_save(*, actor: Actor, role: Role | None, name: str, capabilities: list[str]) -> Role:
    """Create or change a custom contact role; default roles follow the registry and cannot be edited."""
    if not actor.manages_portal:
        raise NotFound
    unknown = set(capabilities) - set(REGISTRY)
    if unknown:
        raise AccessError(_("Unknown capabilities: %(codes)s") % {"codes": ", ".join(sorted(unknown))})
    if role is not None and role.is_default:
        raise AccessError(_("Default roles cannot be changed; create a custom role instead."))
    name = name.strip()
    clash = Role.objects.filter(name__iexact=name)
    if role is not None:
        clash = clash.exclude(pk=role.pk)
    if clash.exists():
        raise AccessError(_("A role with this name exists already."), field="name")
    created = role is None
    role = role or Role(slug=f"custom-{secrets.token_hex(4)}")
    role.name = name
    role.custom_capabilities = sorted(set(capabilities))
    role.save()
    record(
        actor=actor,
        verb="role.created" if created else "role.changed",
        target=role,
        data={"capabilities": role.custom_capabilities},
    )
    return role
