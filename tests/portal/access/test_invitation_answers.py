"""What inviting tells whom.

A client admin gets the same answer, and sees the same afterwards, whether or not the address has an account (or
a pending invitation) in the portal; the address's owner is told by e-mail, the provider's staff by an event.
Re-inviting an address with a pending invitation shows what is pending and replaces it only once confirmed."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from portal.access.models import Invitation, Role, StaffMembership, StaffRole
from portal.access.policy import SYSTEM, actor_for
from portal.access.services import AccessError, InvitationPending, invitation_create
from portal.activity.models import ActivityEvent
from portal.clients.models import ClientOrg, Contact

pytestmark = pytest.mark.django_db

KNOWN = "fred.finance@fabrikam.example"  # an active account in the portal: a contact of another client
UNKNOWN = "new.colleague@contoso.example"
NOT_NEEDED = "Invitations to existing accounts"


@pytest.fixture
def carla(in_demo: Any) -> Contact:
    return Contact.objects.get(user__email="carla.admin@contoso.example")


def invite_page(carla: Contact) -> str:
    return reverse("clients:invite", kwargs={"org_id": carla.client_org_id})


def invite(client: Client, carla: Contact, email: str, role: str = "viewer", **extra: str) -> Any:
    data = {"email": email, "role": Role.objects.get(slug=role).pk, **extra}
    return client.post(invite_page(carla), data, follow=True)


def without(text: str, email: str) -> str:
    """The page as it would read for any address: the address, ids and times taken out."""
    return re.sub(r"\d+", "#", text.replace(email, "ADDRESS"))


def pending_row(page: str, email: str) -> str:
    [row] = [row for row in re.findall(r"<tr>.*?</tr>", page, re.S) if email in row]
    return without(row, email)


# --- the same answer, whether or not the address is known -----------------------------------------------------


def test_a_client_admin_gets_the_same_answer_whether_or_not_the_address_has_an_account(
    as_user: Callable[[Any], Client], carla: Contact, django_capture_on_commit_callbacks: Any
) -> None:
    client = as_user(carla.user)
    with django_capture_on_commit_callbacks(execute=True):
        known = invite(client, carla, KNOWN)
        unknown = invite(client, carla, UNKNOWN)

    assert known.redirect_chain == unknown.redirect_chain
    assert [without(str(m), KNOWN) for m in known.context["messages"]] == [
        without(str(m), UNKNOWN) for m in unknown.context["messages"]
    ]
    page = client.get(reverse("clients:detail", kwargs={"org_id": carla.client_org_id})).content.decode()
    assert pending_row(page, KNOWN) == pending_row(page, UNKNOWN)  # the pending list cannot tell them apart
    assert NOT_NEEDED not in page
    [to_known] = [m for m in mail.outbox if m.to == [KNOWN]]
    [to_unknown] = [m for m in mail.outbox if m.to == [UNKNOWN]]
    assert to_known.subject == to_unknown.subject


def test_a_client_admin_gets_the_same_answer_when_the_address_is_pending_elsewhere(
    as_user: Callable[[Any], Client], carla: Contact
) -> None:
    invitation_create(actor=SYSTEM, email="hire@northwind.example", staff_role=StaffRole.MEMBER)

    response = invite(as_user(carla.user), carla, "hire@northwind.example")

    assert response.redirect_chain == [(reverse("clients:detail", kwargs={"org_id": carla.client_org_id}), 302)]
    assert Invitation.objects.get(email="hire@northwind.example", kind="staff").is_pending  # left as it was


def test_the_address_owner_is_told_they_already_have_an_account_instead_of_a_link(
    carla: Contact, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            actor=actor_for(carla.user), email=KNOWN, client_org=carla.client_org, role=Role.objects.get(slug="viewer")
        )

    [message] = [m for m in mail.outbox if m.to == [KNOWN]]
    body = str(message.body)
    assert "/invite/" not in body
    assert "already have an account" in body
    assert f"http://demo.localhost{reverse('account_login')}" in body


def test_the_address_owner_is_told_to_use_the_invitation_they_already_have(
    carla: Contact, django_capture_on_commit_callbacks: Any
) -> None:
    invitation_create(actor=SYSTEM, email="hire@northwind.example", staff_role=StaffRole.MEMBER)
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            actor=actor_for(carla.user), email="hire@northwind.example", client_org=carla.client_org,
            role=Role.objects.get(slug="viewer"),
        )  # fmt: skip

    [message] = [m for m in mail.outbox if m.to == ["hire@northwind.example"]]
    assert "/invite/" not in str(message.body)
    assert "already has an invitation" in str(message.body)


def test_staff_are_told_when_a_contact_invites_an_existing_account(
    as_user: Callable[[Any], Client], carla: Contact, told: Callable[[], Any]
) -> None:
    with told():
        invitation_create(
            actor=actor_for(carla.user), email=KNOWN, client_org=carla.client_org, role=Role.objects.get(slug="viewer")
        )

    event = ActivityEvent.objects.get(verb="invitation.existing_account")
    assert (event.target_type, event.target_id, event.client_org_id) == (
        "clients.clientorg",
        carla.client_org_id,
        carla.client_org_id,
    )
    assert event.data["email"] == KNOWN
    owner = StaffMembership.objects.get(role=StaffRole.OWNER).user
    assert [m for m in mail.outbox if m.to == [owner.email] and NOT_NEEDED in str(m.subject)]
    assert not [m for m in mail.outbox if m.to == [carla.user.email] and NOT_NEEDED in str(m.subject)]
    detail = reverse("clients:detail", kwargs={"org_id": carla.client_org_id})
    assert NOT_NEEDED in as_user(owner).get(detail).content.decode()
    assert NOT_NEEDED not in as_user(carla.user).get(detail).content.decode()


def test_no_event_when_a_contact_invites_a_new_address(carla: Contact) -> None:
    invitation_create(
        actor=actor_for(carla.user), email=UNKNOWN, client_org=carla.client_org, role=Role.objects.get(slug="viewer")
    )

    assert not ActivityEvent.objects.filter(verb="invitation.existing_account").exists()


def test_staff_keep_the_explicit_messages(carla: Contact) -> None:
    owner = actor_for(StaffMembership.objects.get(role=StaffRole.OWNER).user)
    viewer = Role.objects.get(slug="viewer")

    with pytest.raises(AccessError, match="already has an account"):
        invitation_create(actor=owner, email=KNOWN, client_org=carla.client_org, role=viewer)
    invitation_create(actor=owner, email="hire@northwind.example", staff_role=StaffRole.MEMBER)
    with pytest.raises(AccessError, match="pending invitation elsewhere"):
        invitation_create(actor=owner, email="hire@northwind.example", client_org=carla.client_org, role=viewer)


# --- re-inviting a pending address --------------------------------------------------------------------------------


def test_reinviting_a_pending_address_is_refused_without_confirmation(carla: Contact) -> None:
    contoso = ClientOrg.objects.get(name="Contoso Retail")
    first = invitation_create(actor=SYSTEM, email=UNKNOWN, client_org=contoso, role=Role.objects.get(slug="viewer"))

    with pytest.raises(InvitationPending, match=r"pending invitation \(Viewer, sent ") as refused:
        invitation_create(actor=SYSTEM, email=UNKNOWN, client_org=contoso, role=Role.objects.get(slug="finance"))

    assert refused.value.invitation == first
    first.refresh_from_db()
    assert (first.is_pending, first.role) == (True, Role.objects.get(slug="viewer"))


def test_the_invite_form_shows_what_is_pending_and_replaces_it_only_once_confirmed(
    as_user: Callable[[Any], Client], carla: Contact
) -> None:
    client = as_user(carla.user)
    invite(client, carla, UNKNOWN, role="viewer")
    first = Invitation.objects.get(email=UNKNOWN)

    asked = invite(client, carla, UNKNOWN, role="finance")

    assert asked.status_code == 200
    assert asked.redirect_chain == []
    errors = " ".join(asked.context["form"].errors["replace"])
    assert "Viewer" in errors
    assert "sent" in errors
    assert 'type="checkbox" name="replace"' in asked.content.decode()
    assert "Replace the pending invitation" in asked.content.decode()
    first.refresh_from_db()
    assert (first.is_pending, first.role) == (True, Role.objects.get(slug="viewer"))

    shown = asked.context["form"].data["replaces"]
    assert shown == str(first.pk)
    confirmed = invite(client, carla, UNKNOWN, role="finance", replace="on", replaces=shown)

    assert confirmed.redirect_chain == [(reverse("clients:detail", kwargs={"org_id": carla.client_org_id}), 302)]
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert Invitation.objects.get(email=UNKNOWN, revoked_at__isnull=True).role == Role.objects.get(slug="finance")


def test_the_team_page_asks_before_replacing_a_pending_staff_invitation(as_user: Callable[[Any], Client]) -> None:
    owner = as_user(StaffMembership.objects.get(role=StaffRole.OWNER).user)
    owner.post(reverse("access:team"), {"email": "hire@northwind.example", "staff_role": StaffRole.MEMBER})

    asked = owner.post(reverse("access:team"), {"email": "hire@northwind.example", "staff_role": StaffRole.ADMIN})

    assert asked.status_code == 200
    assert "replace" in asked.context["form"].errors
    assert Invitation.objects.get(email="hire@northwind.example", revoked_at__isnull=True).staff_role == "member"


def test_an_expired_invitation_is_replaced_without_asking(carla: Contact) -> None:
    viewer = Role.objects.get(slug="viewer")
    first = invitation_create(actor=SYSTEM, email=UNKNOWN, client_org=carla.client_org, role=viewer)
    Invitation.objects.filter(pk=first.pk).update(expires_at=first.sent_at)

    invitation_create(actor=SYSTEM, email=UNKNOWN, client_org=carla.client_org, role=viewer)

    first.refresh_from_db()
    assert first.revoked_at is not None


def test_a_ticked_box_replaces_only_the_invitation_that_was_shown(
    as_user: Callable[[Any], Client], carla: Contact
) -> None:
    client = as_user(carla.user)
    invite(client, carla, UNKNOWN, role="viewer")
    invite(client, carla, "other.person@contoso.example", role="viewer")
    shown = invite(client, carla, UNKNOWN, role="finance").context["form"].data["replaces"]

    # The box ticked for one address, then the address changed: the other pending invitation is not replaced.
    asked = invite(client, carla, "other.person@contoso.example", role="finance", replace="on", replaces=shown)

    assert "replace" in asked.context["form"].errors
    assert asked.context["form"].data["replaces"] != shown
    other = Invitation.objects.get(email="other.person@contoso.example", revoked_at__isnull=True)
    assert other.role == Role.objects.get(slug="viewer")
