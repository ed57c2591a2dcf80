"""Authorization edges: what a delegated admin may do to colleagues, invitations across scopes, the audit log's
people list, the last passkey under an MFA policy, and which address an invitation proves."""

from collections.abc import Callable
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse

from accounts.models import User
from portal.access.models import Invitation, Role, StaffMembership, StaffRole
from portal.access.policy import SYSTEM, NotFound, actor_for
from portal.access.services import contact_change_role, invitation_create, person_deactivate
from portal.clients.models import ClientOrg, Contact
from tenants.models import MfaPolicy, Tenant
from tenants.routing import ROUTER

pytestmark = pytest.mark.django_db


@pytest.fixture
def delegate(in_demo: Any) -> Contact:
    """Paula, given a custom role that may manage contacts but holds fewer rights than a client admin."""
    paula = Contact.objects.get(user__email="paula.lead@contoso.example")
    paula.role = Role.objects.create(
        name="Delegate",
        slug="delegate",
        custom_capabilities=["organisation.view", "contacts.manage", "documents.view", "projects.view"],
    )
    paula.save()
    return paula


def test_a_delegated_admin_cannot_demote_or_remove_a_colleague_with_more_rights(delegate: Contact) -> None:
    carla = Contact.objects.get(user__email="carla.admin@contoso.example")
    me = actor_for(delegate.user)

    with pytest.raises(NotFound):
        contact_change_role(actor=me, contact=carla, role=Role.objects.get(slug="viewer"))
    with pytest.raises(NotFound):
        person_deactivate(actor=me, user=carla.user)

    carla.refresh_from_db()
    assert carla.role.slug == "client-admin"
    assert carla.user.is_active


def test_a_delegated_admin_may_act_on_a_colleague_with_fewer_rights(delegate: Contact) -> None:
    victor = Contact.objects.get(user__email="victor.viewer@contoso.example")

    person_deactivate(actor=actor_for(delegate.user), user=victor.user)

    victor.user.refresh_from_db()
    assert not victor.user.is_active


def test_a_contact_invitation_cannot_cancel_a_pending_staff_invitation(in_demo: Any) -> None:
    owner = StaffMembership.objects.get(role=StaffRole.OWNER).user
    staff_invitation = invitation_create(
        actor=actor_for(owner), email="hire@northwind.example", staff_role=StaffRole.ADMIN
    )
    carla = Contact.objects.get(user__email="carla.admin@contoso.example")

    invitation_create(  # answered as usual: a contact is not told of other invitations in the portal
        actor=actor_for(carla.user), email="hire@northwind.example", client_org=carla.client_org,
        role=Role.objects.get(slug="viewer"), replaces=staff_invitation.pk,
    )  # fmt: skip

    staff_invitation.refresh_from_db()
    assert staff_invitation.is_pending


def test_a_new_invitation_replaces_the_pending_one_of_the_same_scope_once_confirmed(in_demo: Any) -> None:
    contoso = ClientOrg.objects.get(name="Contoso Retail")
    viewer = Role.objects.get(slug="viewer")
    first = invitation_create(actor=SYSTEM, email="again@contoso.example", client_org=contoso, role=viewer)
    second = invitation_create(
        actor=SYSTEM, email="again@contoso.example", client_org=contoso, role=viewer, replaces=first.pk
    )

    first.refresh_from_db()
    assert first.revoked_at is not None
    assert second.is_pending


def test_the_audit_log_offers_a_member_only_the_people_of_their_clients(as_user: Callable[[Any], Client]) -> None:
    mia = as_user(User.objects.get(email="mia.member@northwind.example"))  # Contoso only

    form = mia.get(reverse("activity:audit_log")).context["form"]
    offered = {person.email for person in form.fields["person"].queryset}

    assert "carla.admin@contoso.example" in offered
    assert "olivia.owner@northwind.example" in offered
    assert not {"hana.admin@fabrikam.example", "fred.finance@fabrikam.example", "lena.lead@litware.example"} & offered


def test_the_last_passkey_cannot_be_removed_under_the_policy(in_demo: Tenant) -> None:
    adam = User.objects.get(email="adam.admin@northwind.example")
    passkey = Authenticator.objects.create(user=adam, type=Authenticator.Type.WEBAUTHN, data={"name": "Laptop"})
    Tenant.objects.filter(pk=in_demo.pk).update(mfa_policy=MfaPolicy.STAFF)
    ROUTER.clear()
    client = Client(headers={"host": "demo.localhost"})
    client.force_login(adam)

    response = client.post(reverse("mfa_remove_webauthn", kwargs={"pk": passkey.pk}))

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_list_webauthn")
    assert Authenticator.objects.filter(pk=passkey.pk).exists()


def test_accepting_an_invitation_verifies_only_the_invited_address(in_demo: Any) -> None:
    from portal.access.services import _hash, invitation_accept

    victor = User.objects.get(email="victor.viewer@contoso.example")
    person_deactivate(actor=SYSTEM, user=victor)
    EmailAddress.objects.create(user=victor, email="victor.private@example.com", verified=False)
    invitation = invitation_create(
        actor=SYSTEM, email=victor.email, client_org=ClientOrg.objects.get(name="Contoso Retail"),
        role=Role.objects.get(slug="viewer"),
    )  # fmt: skip
    Invitation.objects.filter(pk=invitation.pk).update(token_hash=_hash("known"))

    invitation_accept(token="known", full_name="Victor Viewer", password="a-long-fresh-password")

    assert EmailAddress.objects.get(email=victor.email).verified
    assert not EmailAddress.objects.get(email="victor.private@example.com").verified


def test_a_name_with_a_line_break_is_refused(as_user: Callable[[Any], Client]) -> None:
    victor = as_user(User.objects.get(email="victor.viewer@contoso.example"))

    response = victor.post(reverse("access:profile"), {"full_name": "Victor\r\nBcc: everyone@example.com"})

    assert "full_name" in response.context["form"].errors
    assert User.objects.get(email="victor.viewer@contoso.example").full_name == "Victor Viewer"
