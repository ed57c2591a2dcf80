"""Invitations: single use, expiring, revocable, resendable; accepting makes the account and lands signed in."""

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from portal.access.models import Invitation, Role, StaffMembership, StaffRole
from portal.access.policy import SYSTEM, actor_for
from portal.access.services import AccessError, invitation_create, invitation_resend, invitation_revoke
from portal.clients.models import ClientOrg, Contact
from tests.support.seeded import recent

pytestmark = pytest.mark.django_db
HOST = {"host": "demo.localhost"}


@pytest.fixture
def invite(in_demo: Any, django_capture_on_commit_callbacks: Any) -> Callable[..., str]:
    """Invite someone to Contoso (sent after commit, as in production) and return the link's path."""

    def send(email: str = "new.person@contoso.example", role: str = "finance") -> str:
        with django_capture_on_commit_callbacks(execute=True):
            invitation_create(
                actor=SYSTEM, email=email, client_org=ClientOrg.objects.get(name="Contoso Retail"),
                role=Role.objects.get(slug=role),
            )  # fmt: skip
        return link_in(str(mail.outbox[-1].body))

    return send


def link_in(body: str) -> str:
    match = re.search(r"http://demo\.localhost(/invite/[\w-]+/)", body)
    assert match, body
    return match[1]


def accept(path: str, name: str = "New Person") -> Any:
    return Client().post(path, {"full_name": name, "password": "a-fresh-long-password"}, headers=HOST)


def test_accepting_creates_the_account_with_its_role_and_signs_in(invite: Callable[..., str]) -> None:
    path = invite()

    response = accept(path)

    assert response.status_code == 302
    assert response["Location"] == reverse("access:welcome")
    contact = Contact.objects.select_related("user", "role", "client_org").get(user__email="new.person@contoso.example")
    assert (contact.client_org.name, contact.role.slug, contact.user.full_name) == (
        "Contoso Retail",
        "finance",
        "New Person",
    )
    assert contact.user.check_password("a-fresh-long-password")
    assert contact.user.emailaddress_set.get().verified  # type: ignore[attr-defined]
    assert recent(Invitation).get().accepted_by == contact.user


def test_the_invitation_mail_names_the_portal_and_links_to_it(invite: Callable[..., str]) -> None:
    invite()

    message = mail.outbox[-1]
    assert message.to == ["new.person@contoso.example"]
    assert "Northwind Consulting" in str(message.subject)
    assert "Finance" in str(message.body)
    assert "Contoso Retail" in str(message.body)


def test_an_invitation_cannot_be_reused(invite: Callable[..., str]) -> None:
    path = invite()
    accept(path)

    again = accept(path, name="Someone Else")

    assert again.status_code == 404
    assert b"cannot be used" in again.content
    assert User.objects.filter(email="new.person@contoso.example").count() == 1


def test_an_invitation_cannot_be_used_after_expiry(invite: Callable[..., str]) -> None:
    path = invite()
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert Client().get(path, headers=HOST).status_code == 404
    assert accept(path).status_code == 404
    assert not User.objects.filter(email="new.person@contoso.example").exists()


def test_an_invitation_cannot_be_used_after_revocation(invite: Callable[..., str]) -> None:
    path = invite()
    invitation_revoke(actor=SYSTEM, invitation=recent(Invitation).get())

    assert accept(path).status_code == 404
    assert not User.objects.filter(email="new.person@contoso.example").exists()


def test_resending_replaces_the_link(invite: Callable[..., str], django_capture_on_commit_callbacks: Any) -> None:
    old = invite()
    with django_capture_on_commit_callbacks(execute=True):
        invitation_resend(actor=SYSTEM, invitation=recent(Invitation).get())
    new = link_in(str(mail.outbox[-1].body))

    assert new != old
    assert accept(old).status_code == 404
    assert accept(new).status_code == 302


def test_a_client_admin_invites_a_colleague_into_their_own_organisation(
    as_user: Callable[[Any], Client], django_capture_on_commit_callbacks: Any
) -> None:
    carla = Contact.objects.get(user__email="carla.admin@contoso.example")
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(carla.user).post(
            reverse("clients:invite", kwargs={"org_id": carla.client_org_id}),
            {"email": "colleague@contoso.example", "role": Role.objects.get(slug="viewer").pk},
        )

    assert response.status_code == 302
    invitation = Invitation.objects.get(email="colleague@contoso.example")
    assert (invitation.client_org_id, invitation.invited_by) == (carla.client_org_id, carla.user)
    assert mail.outbox[-1].to == ["colleague@contoso.example"]


def test_a_contact_cannot_give_more_rights_than_they_have(in_demo: Any) -> None:
    paula = Contact.objects.get(user__email="paula.lead@contoso.example")
    paula.role = Role.objects.create(
        name="Inviter", slug="inviter", custom_capabilities=["organisation.view", "contacts.manage"]
    )
    paula.save()

    with pytest.raises(AccessError, match="more rights than you have"):
        invitation_create(
            actor=actor_for(paula.user), email="x@contoso.example", client_org=paula.client_org,
            role=Role.objects.get(slug="client-admin"),
        )  # fmt: skip


def test_a_viewer_cannot_invite(as_user: Callable[[Any], Client]) -> None:
    victor = Contact.objects.get(user__email="victor.viewer@contoso.example")

    response = as_user(victor.user).post(
        reverse("clients:invite", kwargs={"org_id": victor.client_org_id}),
        {"email": "x@contoso.example", "role": Role.objects.get(slug="viewer").pk},
    )

    assert response.status_code == 404
    assert not recent(Invitation).exists()


def test_staff_invitations_make_staff(in_demo: Any, django_capture_on_commit_callbacks: Any) -> None:
    owner = StaffMembership.objects.get(role=StaffRole.OWNER).user
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(actor=actor_for(owner), email="new.staff@northwind.example", staff_role=StaffRole.ADMIN)

    accept(link_in(str(mail.outbox[-1].body)))

    assert StaffMembership.objects.get(user__email="new.staff@northwind.example").role == StaffRole.ADMIN


def test_only_an_owner_invites_an_owner(in_demo: Any) -> None:
    admin = StaffMembership.objects.get(role=StaffRole.ADMIN).user

    with pytest.raises(AccessError, match="Only an owner"):
        invitation_create(actor=actor_for(admin), email="boss@northwind.example", staff_role=StaffRole.OWNER)
