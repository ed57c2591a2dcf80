"""Staff manage clients, contacts, roles and the team through the portal's pages."""

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from portal.access.models import Invitation, Role, StaffMembership, StaffRole
from portal.clients.models import ClientOrg, Contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(as_user: Callable[[Any], Client]) -> Client:
    return as_user(StaffMembership.objects.get(role=StaffRole.OWNER).user)


def test_every_portal_page_renders_for_an_owner(owner: Client) -> None:
    org = ClientOrg.objects.get(name="Contoso Retail")
    contact = Contact.objects.get(user__email="victor.viewer@contoso.example")
    member = StaffMembership.objects.get(role=StaffRole.MEMBER)
    custom = Role.objects.create(name="Auditor", slug="auditor", custom_capabilities=["organisation.view"])
    pages = [
        reverse("dashboard:home"), reverse("clients:list"), reverse("clients:create"),
        reverse("clients:detail", kwargs={"org_id": org.pk}), reverse("clients:edit", kwargs={"org_id": org.pk}),
        reverse("clients:contacts", kwargs={"org_id": org.pk}), reverse("clients:invite", kwargs={"org_id": org.pk}),
        reverse("clients:contact", kwargs={"org_id": org.pk, "contact_id": contact.pk}),
        reverse("access:team"), reverse("access:staff_member", kwargs={"membership_id": member.pk}),
        reverse("access:roles"), reverse("access:role_create"),
        reverse("access:role_edit", kwargs={"role_id": custom.pk}),
        reverse("access:profile"), reverse("access:security"), reverse("branding:settings"),
    ]  # fmt: skip
    for page in pages:
        assert owner.get(page).status_code == 200, page


def test_an_owner_adds_edits_and_archives_a_client(owner: Client) -> None:
    adam = User.objects.get(email="adam.admin@northwind.example")
    mia = User.objects.get(email="mia.member@northwind.example")

    created = owner.post(
        reverse("clients:create"), {"name": "Woodgrove Bank", "account_manager": adam.pk, "team": [mia.pk]}
    )
    org = ClientOrg.objects.get(name="Woodgrove Bank")
    assert created["Location"] == reverse("clients:detail", kwargs={"org_id": org.pk})
    assert (org.account_manager, list(org.team.all())) == (adam, [mia])

    owner.post(
        reverse("clients:edit", kwargs={"org_id": org.pk}), {"name": "Woodgrove Bank plc", "account_manager": mia.pk}
    )
    org.refresh_from_db()
    assert (org.name, org.account_manager) == ("Woodgrove Bank plc", mia)

    asked = owner.post(reverse("clients:archive", kwargs={"org_id": org.pk}))  # without the dialog's answer
    org.refresh_from_db()
    assert (asked.status_code, org.archived_at) == (200, None)
    assert "Archive this client?" in asked.content.decode()

    owner.post(reverse("clients:archive", kwargs={"org_id": org.pk}), {"confirmed": "1"})
    org.refresh_from_db()
    assert org.archived_at is not None
    assert org not in owner.get(reverse("clients:list")).context["orgs"]
    assert org in owner.get(reverse("clients:list") + "?archived=1").context["orgs"]

    owner.post(reverse("clients:restore", kwargs={"org_id": org.pk}))
    org.refresh_from_db()
    assert org.archived_at is None


def test_the_account_manager_must_be_staff(owner: Client) -> None:
    contact_user = User.objects.get(email="victor.viewer@contoso.example")

    response = owner.post(reverse("clients:create"), {"name": "Nope Ltd", "account_manager": contact_user.pk})

    assert response.status_code == 200
    assert "account_manager" in response.context["form"].errors
    assert not ClientOrg.objects.filter(name="Nope Ltd").exists()


def test_a_member_cannot_add_clients(as_user: Callable[[Any], Client]) -> None:
    mia = as_user(User.objects.get(email="mia.member@northwind.example"))

    assert mia.get(reverse("clients:create")).status_code == 404
    assert mia.get(reverse("access:team")).status_code == 404
    assert mia.get(reverse("access:roles")).status_code == 404


def test_a_custom_role_is_made_from_the_registry_and_default_roles_are_locked(owner: Client) -> None:
    owner.post(
        reverse("access:role_create"), {"name": "Auditor", "capabilities": ["organisation.view", "contacts.view"]}
    )
    role = Role.objects.get(name="Auditor")
    assert role.capabilities == {"organisation.view", "contacts.view"}

    refused = owner.post(reverse("access:role_create"), {"name": "Auditor", "capabilities": []})
    assert "already" in " ".join(refused.context["form"].errors["name"])
    assert (
        owner.get(reverse("access:role_edit", kwargs={"role_id": Role.objects.get(slug="viewer").pk})).status_code
        == 404
    )
    invented = owner.post(reverse("access:role_create"), {"name": "Hacker", "capabilities": ["everything.do"]})
    assert invented.status_code == 200
    assert not Role.objects.filter(name="Hacker").exists()


def test_staff_change_a_contacts_role(owner: Client) -> None:
    victor = Contact.objects.get(user__email="victor.viewer@contoso.example")
    finance = Role.objects.get(slug="finance")

    owner.post(
        reverse("clients:contact", kwargs={"org_id": victor.client_org_id, "contact_id": victor.pk}),
        {"action": "role", "role": finance.pk},
    )

    victor.refresh_from_db()
    assert victor.role == finance


def test_the_team_page_invites_staff_and_lists_pending_invitations(
    owner: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        owner.post(
            reverse("access:team"), {"email": "sam@northwind.example", "full_name": "Sam", "staff_role": "member"}
        )

    assert Invitation.objects.get(email="sam@northwind.example").staff_role == "member"
    assert mail.outbox[-1].to == ["sam@northwind.example"]
    assert b"sam@northwind.example" in owner.get(reverse("access:team")).content


def test_the_last_owner_cannot_be_demoted(owner: Client) -> None:
    membership = StaffMembership.objects.get(role=StaffRole.OWNER)

    response = owner.post(
        reverse("access:staff_member", kwargs={"membership_id": membership.pk}), {"action": "role", "role": "admin"}
    )

    assert "at least one owner" in " ".join(response.context["form"].errors["role"])
    membership.refresh_from_db()
    assert membership.role == StaffRole.OWNER


def test_a_contacts_navigation_comes_from_their_capabilities(as_user: Callable[[Any], Client]) -> None:
    carla = as_user(User.objects.get(email="carla.admin@contoso.example"))
    victor = as_user(User.objects.get(email="victor.viewer@contoso.example"))

    def labels(client: Client) -> list[str]:
        return [str(item.label) for section in client.get("/").context["nav_sections"] for item in section.items]

    assert labels(carla) == [
        "Home",
        "Your organisation",
        "Colleagues",
        "Invite a colleague",
        "Documents",
        "Requests",
        "Projects",
        "Hours",
        "Approvals",
        "Notifications",
    ]
    assert labels(victor) == ["Home", "Your organisation", "Documents", "Projects", "Notifications"]
