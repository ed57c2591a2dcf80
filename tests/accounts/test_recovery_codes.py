"""`/accounts/2fa/recovery-codes/` explains itself to someone without recovery codes (allauth answers 404)."""

from collections.abc import Iterator

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.test import Client
from django.urls import reverse
from django_tenants.utils import tenant_context

from accounts.models import User
from tenants.models import Tenant
from tests.conftest import DEMO_HOST

pytestmark = pytest.mark.django_db
PAGE = "/accounts/2fa/recovery-codes/"


@pytest.fixture
def victor(demo: Tenant) -> Iterator[User]:
    with tenant_context(demo):
        yield User.objects.get(email="victor.viewer@contoso.example")


def signed_in(user: User) -> Client:
    client = Client(headers={"host": DEMO_HOST})
    client.force_login(user)
    return client


def test_before_mfa_the_page_explains_recovery_codes_and_links_to_setting_up_a_second_factor(victor: User) -> None:
    response = signed_in(victor).get(PAGE)

    assert response.status_code == 200
    page = response.content.decode()
    assert "authenticator app or passkey" in page
    assert f'href="{reverse("mfa_activate_totp")}"' in page
    assert f'href="{reverse("mfa_add_webauthn")}"' in page


def test_with_a_second_factor_but_no_codes_the_page_offers_to_generate_them(victor: User) -> None:
    Authenticator.objects.create(user=victor, type=Authenticator.Type.WEBAUTHN, data={"name": "Laptop"})

    response = signed_in(victor).get(PAGE)

    assert response.status_code == 200
    assert f'href="{reverse("mfa_generate_recovery_codes")}"' in response.content.decode()


def test_with_codes_it_is_allauths_page(victor: User) -> None:
    Authenticator.objects.create(user=victor, type=Authenticator.Type.WEBAUTHN, data={"name": "Laptop"})
    RecoveryCodes.activate(victor)

    response = signed_in(victor).get(PAGE)  # allauth asks for the password again before showing codes

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))


def test_the_page_asks_a_visitor_to_sign_in(demo: Tenant) -> None:
    response = Client(headers={"host": DEMO_HOST}).get(PAGE)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_root_site_explains_it_too(demo: Tenant) -> None:
    owner = User.objects.create_user("operator@portico.example", "a-long-operator-password")

    client = Client(headers={"host": "localhost"})
    client.force_login(owner)

    assert client.get(PAGE).status_code == 200
