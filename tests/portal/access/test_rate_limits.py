"""Invitations are rate-limited per person (INVITATION_RATE): staff invites, contacts inviting colleagues and resent
invitations count together; the person is told on the page, never shown an error page."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from portal.access.models import Invitation, Role
from portal.clients.models import ClientOrg

pytestmark = pytest.mark.django_db
TOO_MANY = b"many invitations in a short time"


@pytest.fixture
def limited(settings: Any, clean_cache: None) -> None:
    settings.RATELIMIT_ENABLE = True
    settings.INVITATION_RATE = "2/h"


def signed_in(as_user: Callable[[Any], Client], email: str) -> Client:
    return as_user(User.objects.get(email=email))


def invite_staff(client: Client, email: str) -> Any:
    return client.post(reverse("access:team"), {"email": email, "staff_role": "member"})


def test_a_contact_inviting_colleagues_is_limited_with_a_form_error(
    as_user: Callable[[Any], Client], limited: None
) -> None:
    carla = signed_in(as_user, "carla.admin@contoso.example")
    contoso = ClientOrg.objects.get(name="Contoso Retail")
    url = reverse("clients:invite", kwargs={"org_id": contoso.pk})
    viewer = Role.objects.get(slug="viewer").pk
    for number in range(2):
        assert carla.post(url, {"email": f"colleague{number}@contoso.example", "role": viewer}).status_code == 302

    refused = carla.post(url, {"email": "one.more@contoso.example", "role": viewer})

    assert refused.status_code == 200
    assert TOO_MANY in refused.content
    assert not Invitation.objects.filter(email="one.more@contoso.example").exists()


def test_staff_invitations_and_resends_count_together_per_person(
    as_user: Callable[[Any], Client], limited: None
) -> None:
    olivia = signed_in(as_user, "olivia.owner@northwind.example")
    assert invite_staff(olivia, "new1@northwind.example").status_code == 302
    invitation = Invitation.objects.get(email="new1@northwind.example")
    resend = reverse("access:resend", kwargs={"invitation_id": invitation.pk})
    assert b"sent again" in olivia.post(resend, follow=True).content

    refused_invite = invite_staff(olivia, "new2@northwind.example")
    refused_resend = olivia.post(resend, follow=True)

    assert refused_invite.status_code == refused_resend.status_code == 200
    assert TOO_MANY in refused_invite.content
    assert TOO_MANY in refused_resend.content
    assert not Invitation.objects.filter(email="new2@northwind.example").exists()
    adam = signed_in(as_user, "adam.admin@northwind.example")  # another person has their own allowance
    assert invite_staff(adam, "new3@northwind.example").status_code == 302
