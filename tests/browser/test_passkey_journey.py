"""A person registers a passkey and signs in with it, through Chromium's virtual authenticator."""

from collections.abc import Iterator

import pytest
from django_tenants.utils import schema_context, tenant_context
from playwright.sync_api import Page, expect

from accounts.models import User
from portal.access.models import StaffMembership
from tenants.models import Tenant
from tests.browser.conftest import screenshot
from tests.portal.factories import make_user
from tests.tenants.committed import commit_now

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
EMAIL, PASSWORD = "pat.passkey@northwind.example", "pat-passkey-journey-password"


def create_pat() -> None:
    with tenant_context(Tenant.objects.get(slug="demo")):
        StaffMembership.objects.create(user=make_user(EMAIL, password=PASSWORD, full_name="Pat Passkey"))


def remove_pat() -> None:
    with schema_context("demo"):
        User.objects.filter(email=EMAIL).delete()


@pytest.fixture
def pat(django_db_blocker: pytest.FixtureRequest) -> Iterator[None]:
    """A member of staff committed for the web server, removed afterwards (requested before `page`)."""
    commit_now(django_db_blocker, create_pat)
    yield
    commit_now(django_db_blocker, remove_pat)


def test_a_passkey_is_registered_then_used_to_sign_in(pat: None, page: Page, live_url: str) -> None:
    portal = live_url.replace("://localhost", "://demo.localhost")
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {"options": {"protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
                     "hasUserVerification": True, "isUserVerified": True}},
    )  # fmt: skip

    page.goto(f"{portal}/accounts/login/")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Pat")

    page.goto(f"{portal}/accounts/2fa/webauthn/add/")
    page.get_by_placeholder("Password").fill(PASSWORD)  # allauth asks again before adding a key
    page.get_by_role("button", name="Confirm").click()
    page.get_by_label("Name").fill("Pat's laptop")
    page.get_by_label("Passwordless").check()
    screenshot(page, "passkey-1-add")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page).not_to_have_url(f"{portal}/accounts/2fa/webauthn/add/")
    page.goto(f"{portal}/accounts/2fa/webauthn/")
    expect(page.get_by_text("Pat's laptop")).to_be_visible()
    screenshot(page, "passkey-2-registered")

    page.goto(f"{portal}/accounts/logout/")
    page.get_by_role("button", name="Sign Out").click()
    page.goto(f"{portal}/accounts/login/")
    page.get_by_role("button", name="Sign in with a passkey").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Pat")
    screenshot(page, "passkey-3-signed-in")
