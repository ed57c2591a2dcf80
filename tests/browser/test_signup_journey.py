"""A provider signs up on the root site and lands, signed in, on its new portal's first-run checklist."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot
from tests.tenants.committed import commit_now, remove_tenant

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture
def cleanup(django_db_blocker: pytest.FixtureRequest) -> Iterator[None]:
    """The journey's tenant is committed by the web server; remove it afterwards (requested before `page`, so
    this runs once Playwright has stopped)."""
    yield
    commit_now(django_db_blocker, lambda: remove_tenant("tailspin", "tailspin"))


def test_a_provider_signs_up_and_lands_in_its_branded_portal(cleanup: None, page: Page, live_url: str) -> None:
    page.goto(f"{live_url}/")
    page.get_by_role("link", name="Start your portal").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start your client portal")

    page.get_by_label("Company name").fill("Tailspin Toys Consulting")
    page.get_by_label("Subdomain").fill("www")
    page.get_by_label("Your name").fill("Terry Owner")
    page.get_by_label("Your work e-mail").fill("terry@tailspin.test")
    page.get_by_label("Password").fill("tailspin-journey-passphrase")
    page.get_by_role("button", name="Create my portal").click()
    expect(page.locator("[data-error-summary]")).to_be_focused()  # the summary says what is wrong, first
    expect(page.get_by_role("link", name="Subdomain: “www” is reserved. Choose another subdomain.")).to_be_visible()
    expect(page.get_by_text("“www” is reserved. Choose another subdomain.", exact=True)).to_be_visible()  # the field
    screenshot(page, "signup-1-reserved-subdomain")

    page.get_by_label("Subdomain").fill("Tailspin")
    page.get_by_label("Password").fill("tailspin-journey-passphrase")
    page.get_by_role("button", name="Create my portal").click()

    portal = live_url.replace("://localhost", "://tailspin.localhost")
    expect(page).to_have_url(f"{portal}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Terry")
    expect(page.get_by_role("link", name="Tailspin Toys Consulting")).to_be_visible()
    expect(page.get_by_role("heading", name="Get your portal ready")).to_be_visible()
    screenshot(page, "signup-2-new-portal")

    page.get_by_role("link", name="Brand your portal").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Settings")
    expect(page.get_by_role("link", name="Branding", exact=True)).to_have_attribute("aria-current", "page")
    page.get_by_label("Portal name").fill("Tailspin Client Space")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your portal's branding is saved.")).to_be_visible()
    expect(page.get_by_role("link", name="Tailspin Client Space")).to_be_visible()
    screenshot(page, "signup-3-branded")
