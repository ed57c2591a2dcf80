"""Client organisations and their contacts, for staff and for the contacts themselves. Every object comes from
`portal.access.policy`, so another organisation's ids give the same 404 as ids that do not exist."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import add_to_form
from portal.access import limits, policy
from portal.access.confirm import destructive
from portal.access.forms import ask_to_replace, invitation_arguments
from portal.access.http import PortalRequest, client_capability, managers_only, staff_only
from portal.access.pages import cached_page
from portal.access.policy import Actor
from portal.access.services import (
    AccessError,
    InvitationPending,
    contact_change_role,
    invitation_create,
    person_deactivate,
)
from portal.activity.selectors import events_for
from portal.clients.models import ClientOrg
from portal.conversations.selectors import comments_for, may_comment
from portal.organisations.forms import ClientOrgForm, ContactRoleForm, InviteContactForm
from portal.organisations.services import client_org_archive, client_org_save

# Events on the overview's "Recent activity"; the Activity tab pages through the rest.
RECENT_EVENTS = 5
ACTIVITY_PAGE_SIZE = 30


@staff_only
@cached_page
def client_list(request: PortalRequest) -> HttpResponse:
    me = request.actor
    show_archived = request.GET.get("archived") == "1"
    orgs = policy.client_orgs_for(me, include_archived=show_archived)
    if show_archived:
        orgs = orgs.filter(archived_at__isnull=False)
    orgs = orgs.annotate(contact_count=Count("contacts", distinct=True)).order_by("name")
    return render(request, "portal/clients/list.html", {"orgs": orgs, "show_archived": show_archived})


@managers_only
def client_create(request: PortalRequest) -> HttpResponse:
    me = request.actor
    form = ClientOrgForm(request.POST or None, initial={"account_manager": request.user})
    if request.method == "POST" and form.is_valid():
        try:
            org = client_org_save(actor=me, org=None, **form.cleaned_data)
        except AccessError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": org.name})
            return redirect("clients:detail", org_id=org.pk)
    return render(request, "portal/clients/form.html", {"form": form, "org": None})


def sections(me: Actor, org: ClientOrg) -> dict[str, bool]:
    """Which of the organisation's tabs the actor may open (Overview and Activity: whoever sees it)."""
    return {
        "may_view_contacts": policy.may(me, "contacts.view", org),
        "may_manage_contacts": policy.may(me, "contacts.manage", org),
        "may_view_documents": policy.may(me, "documents.view", org),
        "may_view_projects": policy.may(me, "projects.view", org),
    }


@client_capability("organisation.view", archived_for_staff=True)
def client_detail(request: PortalRequest, org: ClientOrg) -> HttpResponse:
    me = request.actor
    context = {
        "org": org,
        **sections(me, org),
        "contacts": policy.contacts_for(me, org),
        "invitations": [i for i in policy.invitations_for(me, org) if i.is_pending],
        "thread": comments_for(me, org),
        "may_comment": may_comment(me, org),
        "target": org,
        "type_code": "client",
        "timeline": events_for(me, client_org_id=org.pk)[:RECENT_EVENTS],
        "tab": "overview",
    }
    return render(request, "portal/clients/detail.html", context)


@client_capability("organisation.view", archived_for_staff=True)
def client_activity(request: PortalRequest, org: ClientOrg) -> HttpResponse:
    """The organisation's whole history (what the actor may see of it), a page at a time."""
    me = request.actor
    page = Paginator(events_for(me, client_org_id=org.pk), ACTIVITY_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"org": org, **sections(me, org), "timeline": page.object_list, "page": page, "tab": "activity"}
    return render(request, "portal/clients/activity.html", context)


@staff_only
def client_edit(request: PortalRequest, org_id: int) -> HttpResponse:
    me = request.actor
    org = policy.client_org_get_for(me, org_id, include_archived=True)
    initial = {"name": org.name, "account_manager": org.account_manager, "team": org.team.all(), "notes": org.notes}
    form = ClientOrgForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            client_org_save(actor=me, org=org, **form.cleaned_data)
        except AccessError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("clients:detail", org_id=org.pk)
    return render(request, "portal/clients/form.html", {"form": form, "org": org})


@managers_only  # client_org_archive refuses anyone else with the same 404
@destructive(
    gettext_lazy("Archive this client?"),
    consequence=gettext_lazy(
        "Its contacts lose access to the portal at once. Nothing is deleted, and you can restore it."
    ),
    label=gettext_lazy("Archive"),
)
@require_POST
def client_archive(request: PortalRequest, org_id: int) -> HttpResponse:
    me = request.actor
    org = policy.client_org_get_for(me, org_id, include_archived=True)
    client_org_archive(actor=me, org=org, archived=True)
    messages.success(request, _("Archived: its contacts no longer have access."))
    return redirect("clients:detail", org_id=org.pk)


@managers_only  # client_org_archive refuses anyone else with the same 404
@require_POST
def client_restore(request: PortalRequest, org_id: int) -> HttpResponse:
    me = request.actor
    org = policy.client_org_get_for(me, org_id, include_archived=True)
    client_org_archive(actor=me, org=org, archived=False)
    messages.success(request, _("Restored: its contacts have access again."))
    return redirect("clients:detail", org_id=org.pk)


@client_capability("contacts.view", archived_for_staff=True)
def contacts(request: PortalRequest, org: ClientOrg) -> HttpResponse:
    me = request.actor
    context = {
        "org": org,
        **sections(me, org),
        "contacts": policy.contacts_for(me, org),
        "invitations": [i for i in policy.invitations_for(me, org) if i.is_pending],
        "tab": "contacts",
    }
    return render(request, "portal/clients/contacts.html", context)


@client_capability("contacts.manage", archived_for_staff=True)
@limits.per_person(limits.INVITATIONS)
def invite(request: PortalRequest, org: ClientOrg) -> HttpResponse:
    me = request.actor
    form = InviteContactForm(request.POST or None, roles=policy.roles_for(me))
    if request.method == "POST" and limits.limited(request):
        form.add_error(None, limits.message(limits.INVITATIONS))
    elif request.method == "POST" and form.is_valid():
        try:
            invitation = invitation_create(actor=me, client_org=org, **invitation_arguments(form))
        except InvitationPending as error:
            ask_to_replace(form, error)
        except AccessError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("An invitation was sent to %(email)s.") % {"email": invitation.email})
            return redirect("clients:detail", org_id=org.pk)
    return render(request, "portal/clients/invite.html", {"form": form, "org": org})


@client_capability("contacts.manage")
def contact_detail(request: PortalRequest, org: ClientOrg, contact_id: int) -> HttpResponse:
    me = request.actor
    contact = policy.contact_get_for(me, org, contact_id, capability="contacts.manage")
    form = ContactRoleForm(request.POST or None, roles=policy.roles_for(me), initial={"role": contact.role})
    if request.method == "POST" and form.is_valid():
        try:
            contact_change_role(actor=me, contact=contact, role=form.cleaned_data["role"])
        except AccessError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Role changed."))
            return redirect(people_page(me, org))
    return render(request, "portal/clients/contact.html", {"form": form, "org": org, "contact": contact})


@client_capability("contacts.manage")
@destructive(
    gettext_lazy("End this person's access?"),
    consequence=gettext_lazy(
        "They are signed out everywhere and can no longer sign in. Invite them again to restore it."
    ),
    label=gettext_lazy("Deactivate"),
)
@require_POST
def contact_deactivate(request: PortalRequest, org: ClientOrg, contact_id: int) -> HttpResponse:
    me = request.actor
    contact = policy.contact_get_for(me, org, contact_id, capability="contacts.manage")
    try:
        person_deactivate(actor=me, user=contact.user)
    except AccessError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s no longer has access.") % {"name": contact.user})
    return redirect(people_page(me, org))


def people_page(me: Actor, org: ClientOrg) -> str:
    """Back to the organisation's people, or to its overview for someone who may manage but not list them."""
    name = "clients:contacts" if policy.may(me, "contacts.view", org) else "clients:detail"
    return reverse(name, kwargs={"org_id": org.pk})
