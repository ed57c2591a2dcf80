"""Reading client organisations and their people for a person, built on `portal.access.policy` (the scope of
the client and contacts pages)."""

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from portal.access.capabilities import REGISTRY
from portal.access.policy import Actor, client_orgs_for, may
from portal.clients.models import ClientOrg, Contact


def clients_matching(actor: Actor, query: str) -> QuerySet[ClientOrg]:
    """The organisations the actor may open whose name holds every word of `query`: staff the clients they
    reach (archived ones too, which their pages show staff); a contact their own, when they may see it."""
    orgs = client_orgs_for(actor, include_archived=actor.is_staff)
    if not actor.is_staff:
        contact = actor.contact
        if contact is None or not may(actor, "organisation.view", contact.client_org):
            return orgs.none()
    for word in query.split():
        orgs = orgs.filter(name__icontains=word)
    return orgs.order_by("name")


def contacts_matching(actor: Actor, query: str) -> QuerySet[Contact]:
    """The contacts the actor may list (the contacts pages' rule: staff, the clients they reach; a contact,
    their own organisation's with contacts.view) whose name or address holds every word of `query`."""
    if actor.is_staff:
        orgs = client_orgs_for(actor, include_archived=True)
    else:
        contact = actor.contact
        if contact is None or not may(actor, "contacts.view", contact.client_org):
            return Contact.objects.none()
        orgs = client_orgs_for(actor).filter(pk=contact.client_org_id)
    contacts = Contact.objects.filter(client_org__in=orgs.values("pk"))
    for word in query.split():
        contacts = contacts.filter(Q(user__full_name__icontains=word) | Q(user__email__icontains=word))
    return contacts.select_related("user", "role", "client_org").order_by("user__full_name", "user__email")


def orgs_where_may(actor: Actor, capability: str, orgs: Iterable[ClientOrg]) -> set[int]:
    """The ids of those of `orgs` where the actor may do `capability`: `policy.may`'s answer for each, in at most
    one query for staff (the clients they reach, archived ones included) and none for a contact (their own
    organisation and role, already loaded), whatever the number of organisations."""
    if capability not in REGISTRY:
        raise KeyError(f"unregistered capability {capability!r}")
    orgs = list(orgs)
    ids = {org.pk for org in orgs}
    if not ids or actor.manages_portal:  # owners and admins reach every client
        return ids
    if actor.is_staff:
        return set(client_orgs_for(actor, include_archived=True).filter(pk__in=ids).values_list("pk", flat=True))
    return {org.pk for org in orgs if may(actor, capability, org)}
