"""The visibility of the objects `portal.access` itself guards (see `portal.access.visibility`): a client
organisation is seen with `organisation.view`, its contacts with `contacts.view`, its invitations by those who
manage its contacts."""

from django.urls import reverse

from portal.access.models import Invitation
from portal.access.visibility import Visibility, register
from portal.clients.models import ClientOrg, Contact

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
    page=lambda pk, org_id: reverse("clients:invite", kwargs={"org_id": org_id}),
)
