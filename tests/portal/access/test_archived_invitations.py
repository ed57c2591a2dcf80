"""An archived client's invitations stay readable by staff (its invitation events link there) but nobody can
invite into it; a staff invitation's page is the team page."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from portal.access.models import Invitation, Role, StaffRole
from portal.access.policy import SYSTEM
from portal.access.services import AccessError, invitation_create
from portal.access.visibility import kind_of
from portal.clients.models import ClientOrg

pytestmark = pytest.mark.django_db


def test_staff_open_an_archived_clients_invitations_but_cannot_invite_there(
    as_user: Callable[[Any], Client],
) -> None:
    contoso = ClientOrg.objects.get(name="Contoso Retail")
    invitation_create(
        actor=SYSTEM, email="late@contoso.example", client_org=contoso, role=Role.objects.get(slug="viewer")
    )
    ClientOrg.objects.filter(pk=contoso.pk).update(archived_at=timezone.now())
    owner = as_user(User.objects.get(email="olivia.owner@northwind.example"))

    page = owner.get(reverse("clients:invite", kwargs={"org_id": contoso.pk}))
    refused = owner.post(
        reverse("clients:invite", kwargs={"org_id": contoso.pk}),
        {"email": "new@contoso.example", "role": Role.objects.get(slug="viewer").pk},
    )

    assert page.status_code == 200
    assert refused.status_code == 200
    assert "archived" in refused.content.decode()
    assert not Invitation.objects.filter(email="new@contoso.example").exists()
    contoso.refresh_from_db()
    with pytest.raises(AccessError, match="archived"):
        invitation_create(
            actor=SYSTEM, email="x@contoso.example", client_org=contoso, role=Role.objects.get(slug="viewer")
        )


def test_a_staff_invitations_page_is_the_team_page(in_demo: Any) -> None:
    invitation = invitation_create(actor=SYSTEM, email="hire@northwind.example", staff_role=StaffRole.MEMBER)

    assert kind_of(invitation).page(invitation.pk, None) == reverse("access:team")
