"""Clients and people join the top bar's search (`portal.access.search`), each through the scoped selectors of
its pages, so nobody finds an organisation or a person they could not open. Registered at start-up
(`OrganisationsConfig.ready`)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.access import search
from portal.access.policy import Actor
from portal.clients.models import Contact
from portal.organisations.selectors import clients_matching, contacts_matching, orgs_where_may


def find_clients(actor: Actor, query: str, limit: int) -> list[search.Hit]:
    return [
        search.Hit(
            title=org.name,
            url=reverse("clients:detail", kwargs={"org_id": org.pk}),
            detail=_("Archived") if org.archived_at else "",
        )
        for org in clients_matching(actor, query)[:limit]
    ]


def find_people(actor: Actor, query: str, limit: int) -> list[search.Hit]:
    contacts = list(contacts_matching(actor, query)[:limit])
    manages = orgs_where_may(actor, "contacts.manage", [contact.client_org for contact in contacts])

    def page(contact: Contact) -> str:
        """The contact's own page for those who manage the organisation's contacts (not their own, not in an
        archived organisation), else the organisation's list of people."""
        org = contact.client_org
        if org.pk in manages and org.archived_at is None and contact.user_id != actor.user.pk:
            return reverse("clients:contact", kwargs={"org_id": org.pk, "contact_id": contact.pk})
        return reverse("clients:contacts", kwargs={"org_id": org.pk})

    return [
        search.Hit(
            title=str(contact.user),
            url=page(contact),
            detail=f"{contact.user.email} · {contact.client_org.name} · {contact.role.name}",
        )
        for contact in contacts
    ]


def register() -> None:
    search.register("clients", gettext_lazy("Clients"), "building-office-2", find_clients)
    search.register("people", gettext_lazy("People"), "users", find_people)
