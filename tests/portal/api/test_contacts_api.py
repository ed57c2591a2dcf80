"""The contacts endpoints: a client's contacts, inviting someone (the same service, checks, e-mail and event as
staff inviting on the client's page), the invitations sent, and ending a contact's access once (`Idempotency-Key`);
a key reaches only its clients' people (404 for the others) and writes only with `contacts:write`."""

import json
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from portal.access.models import Invitation, Role
from portal.activity.models import ActivityEvent
from portal.clients.models import ClientOrg, Contact
from tenants.models import Tenant
from tests.portal import demo_people
from tests.portal.api.support import api, make_key, problem, send

pytestmark = pytest.mark.django_db
SignIn = Callable[[Any], Client]
Told = Callable[[], AbstractContextManager[Any]]
ERP = "API key “ERP sync”"


def contacts(org: ClientOrg) -> str:
    return f"/api/v1/clients/{org.pk}/contacts/"


def invitations(org: ClientOrg) -> str:
    return f"/api/v1/clients/{org.pk}/invitations/"


def deactivate(contact: Contact) -> str:
    return f"/api/v1/clients/{contact.client_org_id}/contacts/{contact.pk}/deactivate/"


def contact(email: str) -> Contact:
    return Contact.objects.select_related("user").get(user__email=email)


@pytest.fixture(autouse=True)
def in_the_demo_portal(in_demo: Tenant, clean_cache: None) -> None:
    """Every test runs in the demo portal's schema, with no idempotency key or rate count left from another."""


@pytest.fixture
def caller() -> Client:
    return api(make_key()[1])


@pytest.fixture
def contoso_only() -> Client:
    return api(make_key(clients=[demo_people.contoso()])[1])


@pytest.fixture
def sent(django_capture_on_commit_callbacks: Any) -> Told:
    """`with sent(): ...`: the block, then what it scheduled after commit (the invitation e-mail)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def body(response: Any) -> Any:
    assert response.status_code in (200, 201), (response.status_code, response.content[:500])
    return json.loads(response.content)


def link_in(text: str) -> str:
    match = re.search(r"http://demo\.localhost(/invite/[\w-]+/)", text)
    assert match, text
    return match[1]


def words(text: str) -> str:
    return re.sub(r"expires on .*", "expires on …", text.replace(link_in(text), "…"))


# --- listing -----------------------------------------------------------------------------------------------------


def test_a_clients_contacts_are_listed_with_their_role_and_state(caller: Client) -> None:
    contoso = demo_people.contoso()
    victor = contact("victor.viewer@contoso.example")
    User.objects.filter(pk=victor.user_id).update(is_active=False)

    rows = body(caller.get(contacts(contoso)))["results"]

    by_email = {row["email"]: row for row in rows}
    assert set(by_email) == set(Contact.objects.filter(client_org=contoso).values_list("user__email", flat=True))
    paula = by_email["paula.lead@contoso.example"]
    assert (paula["name"], paula["role"], paula["active"], paula["client"]) == (
        "Paula Lead",
        "project-lead",
        True,
        contoso.pk,
    )
    assert paula["joined"]
    assert "job_title" in paula
    assert by_email["victor.viewer@contoso.example"]["active"] is False
    joined = [row["joined"] for row in rows]
    assert joined == sorted(joined)


# --- inviting ----------------------------------------------------------------------------------------------------


def test_an_invitation_through_the_api_is_emailed_like_the_one_from_the_page(
    caller: Client, as_user: SignIn, sent: Told
) -> None:
    contoso = demo_people.contoso()
    with sent():
        viewer = Role.objects.get(slug="viewer").pk
        page = as_user(demo_people.olivia()).post(
            reverse("clients:invite", kwargs={"org_id": contoso.pk}),
            {"email": "from.page@contoso.example", "full_name": "From Page", "role": viewer},
        )
    assert page.status_code == 302
    from_page = mail.outbox[-1]

    with sent():
        response = send(caller, "POST", contacts(contoso), {
            "email": "From.API@contoso.example", "full_name": "From API", "role": "viewer",
        })  # fmt: skip

    assert response.status_code == 201
    invitation = body(response)
    assert (invitation["email"], invitation["full_name"], invitation["role"]) == (
        "from.api@contoso.example",
        "From API",
        "viewer",
    )
    assert (invitation["client"], invitation["status"]) == (contoso.pk, "pending")
    from_api = mail.outbox[-1]
    assert from_api.to == ["from.api@contoso.example"]
    assert words(str(from_page.body)) == words(str(from_api.body))  # the same words, each with its own link and expiry
    assert "Northwind Consulting" in str(from_api.subject)
    stored = Invitation.objects.get(pk=invitation["id"])
    assert stored.invited_by is None  # a key is no person
    event = ActivityEvent.objects.get(verb="contact.invited", target_id=stored.pk)
    assert (event.actor_label, event.client_org_id) == (ERP, contoso.pk)


def test_inviting_an_address_that_has_an_account_is_the_services_refusal(caller: Client, sent: Told) -> None:
    before = Invitation.objects.filter(email="paula.lead@contoso.example").count()  # the one she accepted
    with sent():
        response = send(caller, "POST", contacts(demo_people.contoso()), {
            "email": "paula.lead@contoso.example", "role": "viewer",
        })  # fmt: skip

    refused = problem(response, 422)
    assert refused["errors"] == {"email": ["paula.lead@contoso.example already has an account in this portal."]}
    assert not mail.outbox
    assert Invitation.objects.filter(email="paula.lead@contoso.example").count() == before


def test_a_pending_invitation_is_replaced_only_when_named(caller: Client, sent: Told) -> None:
    url = contacts(demo_people.contoso())
    with sent():
        first = body(send(caller, "POST", url, {"email": "twice@contoso.example", "role": "viewer"}))

    again = problem(send(caller, "POST", url, {"email": "twice@contoso.example", "role": "finance"}), 422)
    assert "replace" in again["errors"]
    with sent():
        replaced = body(send(caller, "POST", url, {
            "email": "twice@contoso.example", "role": "finance", "replaces": first["id"],
        }))  # fmt: skip

    assert replaced["role"] == "finance"
    statuses = {row["id"]: row["status"] for row in body(caller.get(invitations(demo_people.contoso())))["results"]}
    assert (statuses[first["id"]], statuses[replaced["id"]]) == ("revoked", "pending")


def test_a_role_that_does_not_exist_is_refused_on_its_field(caller: Client) -> None:
    refused = problem(send(caller, "POST", contacts(demo_people.contoso()), {"email": "x@contoso.example",
                                                                             "role": "emperor"}), 422)  # fmt: skip

    assert "role" in refused["errors"]
    assert not Invitation.objects.filter(email="x@contoso.example").exists()


def test_an_invitation_is_sent_once_per_idempotency_key(caller: Client, sent: Told) -> None:
    url = contacts(demo_people.contoso())
    payload = {"email": "once@contoso.example", "role": "viewer"}
    with sent():
        first = send(caller, "POST", url, payload, **{"Idempotency-Key": "invite-once"})
        again = send(caller, "POST", url, payload, **{"Idempotency-Key": "invite-once"})

    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert Invitation.objects.filter(email="once@contoso.example").count() == 1
    assert len([message for message in mail.outbox if message.to == ["once@contoso.example"]]) == 1


# --- deactivating ------------------------------------------------------------------------------------------------


def test_deactivating_a_contact_ends_their_access_once(caller: Client) -> None:
    victor = contact("victor.viewer@contoso.example")

    done = body(send(caller, "POST", deactivate(victor), **{"Idempotency-Key": "victor"}))
    replayed = send(caller, "POST", deactivate(victor), **{"Idempotency-Key": "victor"})
    again = send(caller, "POST", deactivate(victor))

    assert (done["email"], done["active"]) == ("victor.viewer@contoso.example", False)
    assert not User.objects.get(pk=victor.user_id).is_active
    assert replayed.status_code == 200
    assert replayed["Idempotent-Replayed"] == "true"
    assert problem(again, 409)["detail"] == "This person's access has already ended."
    [event] = ActivityEvent.objects.filter(verb="contact.deactivated", target_id=victor.pk)
    assert event.actor_label == ERP


# --- reach and scopes --------------------------------------------------------------------------------------------


def test_a_key_for_contoso_gets_404_for_fabrikams_people_and_invitations(contoso_only: Client, sent: Told) -> None:
    fabrikam = demo_people.fabrikam()
    hana = contact("hana.admin@fabrikam.example")

    with sent():
        invited = send(contoso_only, "POST", contacts(fabrikam), {"email": "new@fabrikam.example", "role": "viewer"})
    problem(invited, 404)
    problem(contoso_only.get(contacts(fabrikam)), 404)
    problem(contoso_only.get(invitations(fabrikam)), 404)
    problem(send(contoso_only, "POST", deactivate(hana)), 404)
    contoso_path = f"/api/v1/clients/{demo_people.contoso().pk}/contacts/{hana.pk}/deactivate/"
    problem(send(contoso_only, "POST", contoso_path), 404)  # Fabrikam's contact under Contoso's id

    assert not Invitation.objects.filter(email="new@fabrikam.example").exists()
    assert not mail.outbox
    assert User.objects.get(pk=hana.user_id).is_active
    assert body(contoso_only.get(contacts(demo_people.contoso())))["results"]


def test_a_read_only_key_gets_403_on_every_write(sent: Told) -> None:
    reader = api(make_key(scopes=["contacts:read"])[1])
    victor = contact("victor.viewer@contoso.example")

    assert reader.get(contacts(demo_people.contoso())).status_code == 200
    with sent():
        problem(send(reader, "POST", contacts(demo_people.contoso()), {"email": "r@contoso.example", "role": "viewer"}),
                403)  # fmt: skip
    problem(send(reader, "POST", deactivate(victor)), 403)

    assert not Invitation.objects.filter(email="r@contoso.example").exists()
    assert User.objects.get(pk=victor.user_id).is_active
