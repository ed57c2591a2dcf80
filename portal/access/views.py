"""Invitations, the team, contact roles, the profile page and the portal's security settings."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import add_to_form
from portal.access import limits, policy
from portal.access.capabilities import REGISTRY
from portal.access.confirm import destructive
from portal.access.forms import (
    AcceptInvitationForm,
    InviteStaffForm,
    ProfileForm,
    RoleForm,
    SecurityForm,
    StaffRoleForm,
    ask_to_replace,
    invitation_arguments,
)
from portal.access.http import PortalRequest, managers_only, public, signed_in
from portal.access.models import Invitation
from portal.access.policy import NotFound
from portal.access.services import (
    AccessError,
    InvitationPending,
    end_sessions,
    invitation_accept,
    invitation_create,
    invitation_for_token,
    invitation_resend,
    invitation_revoke,
    person_deactivate,
    profile_update,
    role_save,
    staff_change_role,
)
from tenants.routing import remember_routing_version
from tenants.services import tenant_update_security


@public  # the link's token is the proof
def accept(request: PortalRequest, token: str) -> HttpResponse:
    """Anyone with the link: choose a name and password, land signed in (then, optionally, add a passkey)."""
    try:
        with transaction.atomic():
            invitation = invitation_for_token(token)
    except AccessError as error:
        return render(request, "portal/access/invitation_invalid.html", {"message": error.message}, status=404)
    form = AcceptInvitationForm(
        request.POST or None, email=invitation.email, initial={"full_name": invitation.full_name}
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_accept(token=token, **form.cleaned_data)
        except AccessError as error:
            return render(request, "portal/access/invitation_invalid.html", {"message": error.message}, status=404)
        if request.user.is_authenticated:
            logout(request)
        login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
        messages.success(request, _("Welcome! You can add a passkey to sign in without a password next time."))
        return redirect("access:welcome")
    return render(request, "portal/access/accept.html", {"form": form, "invitation": invitation})


@signed_in
def welcome(request: PortalRequest) -> HttpResponse:
    return render(request, "portal/access/welcome.html")


@managers_only
@limits.per_person(limits.INVITATIONS)
def team(request: PortalRequest) -> HttpResponse:
    me = request.actor
    form = InviteStaffForm(request.POST or None)
    if request.method == "POST" and limits.limited(request):
        form.add_error(None, limits.message(limits.INVITATIONS))
    elif request.method == "POST" and form.is_valid():
        try:
            invitation = invitation_create(actor=me, **invitation_arguments(form))
        except InvitationPending as error:
            ask_to_replace(form, error)
        except AccessError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("An invitation was sent to %(email)s.") % {"email": invitation.email})
            return redirect("access:team")
    context = {
        "form": form,
        "members": policy.staff_for(me),
        "invitations": [i for i in policy.invitations_for(me, None) if i.is_pending],
    }
    return render(request, "portal/access/team.html", context)


@managers_only  # staff_get_for shows the team to managers only
def staff_member(request: PortalRequest, membership_id: int) -> HttpResponse:
    me = request.actor
    membership = policy.staff_get_for(me, membership_id)
    form = StaffRoleForm(request.POST or None, initial={"role": membership.role})
    if request.method == "POST" and form.is_valid():
        try:
            staff_change_role(actor=me, membership=membership, role=form.cleaned_data["role"])
        except AccessError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Role changed."))
            return redirect("access:team")
    return render(request, "portal/access/staff_member.html", {"form": form, "membership": membership})


@managers_only  # staff_get_for shows the team to managers only; person_deactivate refuses an admin an owner
@destructive(
    gettext_lazy("Deactivate this person?"),
    consequence=gettext_lazy(
        "They are signed out everywhere at once and can no longer sign in. What they uploaded and wrote stays."
    ),
    label=gettext_lazy("Deactivate"),
)
@require_POST
def staff_deactivate(request: PortalRequest, membership_id: int) -> HttpResponse:
    me = request.actor
    membership = policy.staff_get_for(me, membership_id)
    try:
        person_deactivate(actor=me, user=membership.user)
    except AccessError as error:
        messages.error(request, error.message)
        return redirect("access:staff_member", membership_id=membership.pk)
    messages.success(request, _("%(name)s no longer has access.") % {"name": membership.user})
    return redirect("access:team")


def _back_from(invitation: Invitation) -> HttpResponse:
    """Where an invitation's page is: its client's, or the team's."""
    if invitation.client_org_id:
        return redirect("clients:detail", org_id=invitation.client_org_id)
    return redirect("access:team")


@signed_in  # staff, and contacts who manage their organisation's contacts: invitation_get_for decides
@require_POST
def invitation_resend_view(request: PortalRequest, invitation_id: int) -> HttpResponse:
    me = request.actor
    invitation = policy.invitation_get_for(me, invitation_id)
    if limits.count(request, limits.INVITATIONS):
        messages.error(request, limits.message(limits.INVITATIONS))
        return _back_from(invitation)
    try:
        invitation_resend(actor=me, invitation=invitation)
    except AccessError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The invitation was sent again."))
    return _back_from(invitation)


@signed_in  # staff, and contacts who manage their organisation's contacts: invitation_get_for decides
@destructive(
    gettext_lazy("Revoke this invitation?"),
    consequence=gettext_lazy("The link in it stops working at once. You can invite the same address again later."),
    label=gettext_lazy("Revoke"),
)
@require_POST
def invitation_revoke_view(request: PortalRequest, invitation_id: int) -> HttpResponse:
    me = request.actor
    invitation = policy.invitation_get_for(me, invitation_id)
    try:
        invitation_revoke(actor=me, invitation=invitation)
    except AccessError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The invitation was revoked."))
    return _back_from(invitation)


@managers_only
def roles(request: PortalRequest) -> HttpResponse:
    """Each role with what it grants, by the capabilities' names and descriptions (never their codes)."""
    roles = [
        (role, [REGISTRY[code] for code in REGISTRY if code in role.capabilities])
        for role in policy.roles_for(request.actor)
    ]
    return render(request, "portal/access/roles.html", {"roles": roles, "capability_count": len(REGISTRY)})


@managers_only
def role_edit(request: PortalRequest, role_id: int | None = None) -> HttpResponse:
    me = request.actor
    role = policy.custom_role_get_for(me, role_id) if role_id is not None else None
    initial = {"name": role.name, "capabilities": role.custom_capabilities} if role else {}
    form = RoleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            role_save(actor=me, role=role, **form.cleaned_data)
        except AccessError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Role saved."))
            return redirect("access:roles")
    return render(request, "portal/access/role_form.html", {"form": form, "role": role})


@signed_in
def profile(request: PortalRequest) -> HttpResponse:
    me = request.actor
    form = ProfileForm(request.POST or None, initial={"full_name": me.user.full_name})
    if request.method == "POST" and form.is_valid():
        profile_update(actor=me, full_name=form.cleaned_data["full_name"])
        messages.success(request, _("Saved."))
        return redirect("access:profile")
    sessions = list(policy.sessions_for(me))
    context = {
        "form": form,
        "sessions": sessions,
        "session_rows": [(session, _device_name(session.user_agent)) for session in sessions],
        "current_key": request.session.session_key,
    }
    return render(request, "portal/access/profile.html", context)


BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
SYSTEMS = (("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"), ("Windows", "Windows"),
           ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))  # fmt: skip


def _device_name(user_agent: str) -> str:
    """A session's browser as people name it ("Firefox on Linux"), or the raw string when it is none we know."""
    browser = next((name for mark, name in BROWSERS if mark in user_agent), None)
    system = next((name for mark, name in SYSTEMS if mark in user_agent), None)
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    return browser or user_agent


@signed_in
@destructive(
    gettext_lazy("Sign out everywhere else?"),
    consequence=gettext_lazy(
        "Every other browser and device signed in as you is signed out at once. This one stays signed in."
    ),
    label=gettext_lazy("End the other sessions"),
)
@require_POST
def end_other_sessions(request: PortalRequest) -> HttpResponse:
    ended = end_sessions(actor=request.actor, user=request.actor.user, keep=request.session.session_key)
    messages.success(request, _("%(count)d other sessions were ended.") % {"count": ended})
    return redirect("access:profile")


@signed_in  # session_get_for finds the person's own sessions only
@destructive(
    gettext_lazy("End this session?"),
    consequence=gettext_lazy("That browser or device is signed out at once."),
    label=gettext_lazy("End the session"),
)
@require_POST
def end_session(request: PortalRequest, session_id: int) -> HttpResponse:
    session = policy.session_get_for(request.actor, session_id)
    if session.session_key == request.session.session_key:
        raise NotFound
    end_sessions(actor=request.actor, user=request.actor.user, only=session.session_key)
    messages.success(request, _("That session was ended."))
    return redirect("access:profile")


@managers_only
def security(request: PortalRequest) -> HttpResponse:
    tenant = request.tenant
    initial = {
        "mfa_policy": tenant.mfa_policy, "unscanned_files": tenant.unscanned_files,
        "time_zone": tenant.time_zone, "digest_hour": tenant.digest_hour,
    }  # fmt: skip
    form = SecurityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        tenant_update_security(actor=request.actor, tenant=tenant, **form.cleaned_data)
        messages.success(request, _("Security settings saved."))
        return remember_routing_version(redirect("access:security"))
    return render(request, "portal/access/security.html", {"form": form})
