"""The smoke journey: public landing → demo portal sign-in page → sign in as demo staff → portal home."""

import pytest
from playwright.sync_api import Page, expect

from operators.demo import DEMO_PASSWORD, DEMO_STAFF
from tests.browser.conftest import screenshot

# django_db: the web server the journey talks to uses the test database.
pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_staff_member_reaches_the_portal_home_from_the_public_site(page: Page, live_url: str) -> None:
    page.goto(f"{live_url}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("One secure space")
    screenshot(page, "smoke-1-landing")

    portal = live_url.replace("://localhost", "://demo.localhost")
    page.goto(f"{portal}/")
    expect(page).to_have_url(f"{portal}/accounts/login/?next=/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_role("link", name="Northwind Consulting")).to_be_visible()
    screenshot(page, "smoke-2-portal-login")

    owner = DEMO_STAFF[0]
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()

    expect(page).to_have_url(f"{portal}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Olivia")
    expect(page.get_by_text("This is the Northwind Consulting client portal.")).to_be_visible()
    screenshot(page, "smoke-3-portal-home")
