"""Display names are short plain names: no web addresses, no line breaks or control characters, a length limit,
with a clear form error everywhere a name is typed; the invitation's subject quotes the inviter's name after
the portal's own words (event subjects: tests/portal/activity/test_event_subjects.py)."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django_tenants.utils import tenant_context

from accounts.models import NAME_MAX_LENGTH, User, no_control_characters
from portal.access.models import Role
from portal.access.policy import SYSTEM, actor_for
from portal.access.services import AccessError, invitation_create
from portal.clients.models import ClientOrg, Contact
from tenants.models import Tenant
from tests.conftest import DEMO_HOST

pytestmark = pytest.mark.django_db

REFUSED = [
    "Carla http://evil.example/login",
    "Visit www.evil-site",
    "Free money at evil.com",
    "see bit.ly/x",
    "t.co",
    "carla@contoso.example",
    "\uff25\uff56\uff49\uff4c\uff0e\uff43\uff4f\uff4d",  # "evil.com" in fullwidth letters, the same once normalised
    "Carla\nBcc: everyone@example.com",
    "Carla\r\nSubject: urgent",
    "Carla\u2028Admin",  # a Unicode line separator
    "Carla\x00Admin",
    "Carla\u202emoc.live",  # a right-to-left override
    "C" * (NAME_MAX_LENGTH + 1),
]
ACCEPTED = ["Carla Admin", "J. R. R. Tolkien", "J.R. Smith", "Dr. Zoë Ståhl-O'Brien", "李小龙", "C" * NAME_MAX_LENGTH]


@pytest.mark.parametrize("name", REFUSED)
def test_a_name_with_a_web_address_a_line_break_or_too_long_is_refused(name: str) -> None:
    with pytest.raises(ValidationError):
        no_control_characters(name)


@pytest.mark.parametrize("name", ACCEPTED)
def test_ordinary_names_are_accepted(name: str) -> None:
    no_control_characters(name)


@pytest.fixture
def in_portal(demo: Tenant) -> Iterator[Tenant]:
    with tenant_context(demo):
        yield demo


def signed_in(email: str) -> Client:
    client = Client(headers={"host": DEMO_HOST})
    client.force_login(User.objects.get(email=email))
    return client


def test_the_profile_form_explains_why_a_name_is_refused(in_portal: Tenant) -> None:
    response = signed_in("victor.viewer@contoso.example").post(
        reverse("access:profile"), {"full_name": "Victor, see evil.com"}
    )

    assert response.status_code == 200
    assert "web or e-mail address" in " ".join(response.context["form"].errors["full_name"])
    assert User.objects.get(email="victor.viewer@contoso.example").full_name == "Victor Viewer"


def test_a_too_long_name_gets_one_clear_message(in_portal: Tenant) -> None:
    response = signed_in("victor.viewer@contoso.example").post(
        reverse("access:profile"), {"full_name": "V" * (NAME_MAX_LENGTH + 5)}
    )

    assert response.context["form"].errors["full_name"] == [f"Keep the name to {NAME_MAX_LENGTH} characters or fewer."]


def test_the_invite_form_refuses_a_name_with_a_web_address(in_portal: Tenant) -> None:
    carla = Contact.objects.get(user__email="carla.admin@contoso.example")
    response = signed_in(carla.user.email).post(
        reverse("clients:invite", kwargs={"org_id": carla.client_org_id}),
        {"full_name": "Claim at www.prize", "email": "new@contoso.example", "role": Role.objects.get(slug="viewer").pk},
    )

    assert "full_name" in response.context["form"].errors
    assert not mail.outbox


def test_the_invitation_service_refuses_a_name_with_a_web_address(in_portal: Tenant) -> None:
    with pytest.raises(AccessError) as refused:
        invitation_create(
            actor=SYSTEM, email="new@contoso.example", full_name="http://evil.example",
            client_org=ClientOrg.objects.get(name="Contoso Retail"), role=Role.objects.get(slug="viewer"),
        )  # fmt: skip

    assert refused.value.field == "full_name"


def test_the_signup_form_refuses_a_name_with_a_web_address(client: Client) -> None:
    response = client.post(
        "/signup/",
        {
            "company_name": "Contoso Partners",
            "subdomain": "contoso-partners",
            "owner_name": "Carla evil.com",
            "email": "carla@contoso.test",
            "password": "a-long-and-unusual-passphrase",
            "brand_color": "#0b6e4f",
        },
        headers={"host": "localhost"},
    )

    assert "owner_name" in response.context["form"].errors
    assert not Tenant.objects.filter(slug="contoso-partners").exists()


def test_the_accept_form_refuses_a_name_with_a_line_break(
    in_portal: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            actor=SYSTEM, email="new@contoso.example", client_org=ClientOrg.objects.get(name="Contoso Retail"),
            role=Role.objects.get(slug="viewer"),
        )  # fmt: skip
    path = str(mail.outbox[-1].body).split("http://demo.localhost", 1)[1].split()[0]

    response = Client(headers={"host": DEMO_HOST}).post(
        path, {"full_name": "New\nPerson", "password": "a-long-fresh-password"}
    )

    assert "full_name" in response.context["form"].errors
    assert not User.objects.filter(email="new@contoso.example").exists()


# --- subjects ------------------------------------------------------------------------------------------------------


def test_the_invitation_subject_quotes_the_inviters_name_after_the_portals_words(
    in_portal: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    carla = Contact.objects.get(user__email="carla.admin@contoso.example")
    User.objects.filter(pk=carla.user_id).update(full_name="Your account is locked")
    carla.user.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            actor=actor_for(carla.user), email="new@contoso.example", client_org=carla.client_org,
            role=Role.objects.get(slug="viewer"),
        )  # fmt: skip

    assert mail.outbox[-1].subject == "Invitation to Northwind Consulting from “Your account is locked”"
