"""An expired invitation is not pending: its link no longer works, so it neither blocks nor changes a new one."""

from typing import Any

import pytest
from django.core import mail

from portal.access.models import Invitation, Role, StaffMembership, StaffRole
from portal.access.policy import SYSTEM, Actor, actor_for
from portal.access.services import InvitationPending, invitation_create
from portal.activity.models import ActivityEvent
from portal.clients.models import Contact

pytestmark = pytest.mark.django_db
HIRE = "hire@northwind.example"


@pytest.fixture
def carla(in_demo: Any) -> Contact:
    return Contact.objects.get(user__email="carla.admin@contoso.example")


def owner() -> Actor:
    return actor_for(StaffMembership.objects.get(role=StaffRole.OWNER).user)


def expire(invitation: Invitation) -> None:
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=invitation.sent_at)


def test_an_expired_invitation_elsewhere_does_not_refuse_staff(carla: Contact) -> None:
    expire(invitation_create(actor=SYSTEM, email=HIRE, staff_role=StaffRole.MEMBER))

    invitation = invitation_create(actor=owner(), email=HIRE, client_org=carla.client_org,
                                   role=Role.objects.get(slug="viewer"))  # fmt: skip

    assert invitation.is_pending


def test_an_expired_invitation_elsewhere_does_not_keep_the_link_from_a_contacts_invitation(
    carla: Contact, django_capture_on_commit_callbacks: Any
) -> None:
    expire(invitation_create(actor=SYSTEM, email=HIRE, staff_role=StaffRole.MEMBER))

    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(actor=actor_for(carla.user), email=HIRE, client_org=carla.client_org,
                          role=Role.objects.get(slug="viewer"))  # fmt: skip

    [message] = [m for m in mail.outbox if m.to == [HIRE]]
    assert "/invite/" in str(message.body)  # the link: nothing else is pending for this address
    assert not ActivityEvent.objects.filter(verb="invitation.existing_account").exists()


def test_an_expired_invitation_of_the_same_scope_needs_no_confirmation_and_is_revoked(carla: Contact) -> None:
    viewer = Role.objects.get(slug="viewer")
    first = invitation_create(actor=owner(), email=HIRE, client_org=carla.client_org, role=viewer)
    expire(first)

    second = invitation_create(actor=owner(), email=HIRE, client_org=carla.client_org,
                               role=Role.objects.get(slug="finance"))  # fmt: skip

    first.refresh_from_db()
    assert first.revoked_at is not None  # it cannot be resent alongside the new one
    assert second.is_pending


def test_an_unexpired_invitation_still_counts_as_pending(carla: Contact) -> None:
    invitation_create(actor=SYSTEM, email=HIRE, staff_role=StaffRole.MEMBER)

    with pytest.raises(InvitationPending):
        invitation_create(actor=owner(), email=HIRE, staff_role=StaffRole.ADMIN)
