"""The visibility of the objects `portal.access` itself guards (see `portal.access.visibility`): a client
organisation is seen with `organisation.view`, its contacts with `contacts.view`, its invitations by those who
manage its contacts; staff invitations, staff memberships, custom roles, people's sessions and the portal's
settings are the portal's own business (owners and admins)."""

from django.urls import reverse

from accounts.models import User
from portal.access.models import Invitation, Role, StaffMembership
from portal.access.visibility import Visibility, register
from portal.clients.models import ClientOrg, Contact
from tenants.models import Tenant

register(
    ClientOrg,
    visibility=lambda org: Visibility(org.pk, "organisation.view"),
    page=lambda pk, org_id: reverse("clients:detail", kwargs={"org_id": pk}),
)
register(
    Contact,
    visibility=lambda contact: Visibility(contact.client_org_id, "contacts.view"),
    # The list where a colleague appears (the contact's own page is for those who manage contacts).
    page=lambda pk, org_id: reverse("clients:contacts", kwargs={"org_id": org_id}),
)
register(
    Invitation,
    visibility=lambda invitation: Visibility(invitation.client_org_id, "contacts.manage"),
    # A client's invitations are listed on its invite page; staff invitations on the team page.
    page=lambda pk, org_id: reverse("clients:invite", kwargs={"org_id": org_id}) if org_id else reverse("access:team"),
)
register(
    StaffMembership,
    visibility=lambda membership: Visibility(None),
    page=lambda pk, org_id: reverse("access:team"),
)
register(
    Role,
    visibility=lambda role: Visibility(None),
    page=lambda pk, org_id: reverse("access:roles"),
)
# A person, as the target of what was done to their account (their sessions ended).
register(
    User,
    visibility=lambda user: Visibility(None),
    page=lambda pk, org_id: reverse("access:team"),
)
# The portal itself (its row is in the public schema; its events are recorded in its own schema).
register(
    Tenant,
    visibility=lambda tenant: Visibility(None),
    page=lambda pk, org_id: reverse("access:security"),
)
