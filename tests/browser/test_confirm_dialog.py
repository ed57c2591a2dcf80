"""A destructive button opens a dialog; cancelling it (the button or Escape) sends nothing and changes nothing."""

from typing import Any

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, Request, expect

from operators.demo import DEMO_STAFF
from portal.clients.models import ClientOrg
from tenants.models import Tenant
from tests.browser.conftest import screenshot
from tests.browser.test_documents_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_cancelling_the_archive_dialog_leaves_the_client_as_it_was(page: Page, live_url: str) -> None:
    with tenant_context(Tenant.objects.get(slug="demo")):
        org = ClientOrg.objects.filter(archived_at__isnull=True).order_by("pk").first()
        assert org is not None
    portal = live_url.replace("://localhost", "://demo.localhost")
    posts: list[str] = []

    def record(request: Request) -> Any:
        if request.method == "POST":
            posts.append(request.url)

    sign_in(page, portal, DEMO_STAFF[0].email)
    page.goto(f"{portal}/clients/{org.pk}/")
    page.on("request", record)

    page.get_by_role("button", name="Archive", exact=True).click()
    dialog = page.get_by_role("dialog", name="Archive this client?")
    expect(dialog).to_be_visible()
    screenshot(page, "confirm-dialog")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()

    page.get_by_role("button", name="Archive", exact=True).click()
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    assert posts == []
    assert page.url == f"{portal}/clients/{org.pk}/"
    with tenant_context(Tenant.objects.get(slug="demo")):
        assert ClientOrg.objects.get(pk=org.pk).archived_at is None
