"""Staff drags files into a client folder and publishes them; a contact of that client finds one by search,
previews it on the document's page and downloads it."""

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django_tenants.utils import tenant_context
from PIL import Image
from playwright.sync_api import Page, expect

from portal.clients.models import ClientOrg
from portal.documents.models import Document, Folder
from tenants.models import Tenant
from tests.browser.conftest import screenshot
from tests.browser.journeys import owner_in_demo, remove_events, sign_in
from tests.tenants.committed import commit_now

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def folder_for_the_journey() -> None:
    with tenant_context(Tenant.objects.get(slug="demo")):
        Folder.objects.get_or_create(client_org=ClientOrg.objects.get(name="Contoso Retail"), name="Journey reports")


def remove_journey_history(owner_cursor: Any) -> None:
    """Undo the history the web server committed. It is append-only for everyone while it is young, so the
    owner role, which owns the tables, lifts their triggers for its own transaction only (the runtime role may
    not). Download rows outlive documents: they are found by the document ids they copied."""
    with owner_in_demo(owner_cursor) as cursor:
        cursor.execute(
            "SELECT d.id FROM documents_document d JOIN documents_folder f ON f.id = d.folder_id WHERE f.name = %s",
            ["Journey reports"],
        )
        documents = [row[0] for row in cursor.fetchall()]
        remove_events(cursor, "target_type = 'documents.document' AND target_id = ANY(%s)", [documents])
        cursor.execute("ALTER TABLE documents_downloadevent DISABLE TRIGGER download_history_rows")
        cursor.execute("DELETE FROM documents_downloadevent WHERE document_id = ANY(%s)", [documents])
        cursor.execute("ALTER TABLE documents_downloadevent ENABLE TRIGGER download_history_rows")


def remove_journey_documents() -> None:
    """Undo what the web server committed besides the history."""
    with tenant_context(Tenant.objects.get(slug="demo")), transaction.atomic():
        Document.objects.filter(folder__name="Journey reports").delete()
        Folder.objects.filter(name="Journey reports").delete()


@pytest.fixture
def journey_folder(django_db_blocker: pytest.FixtureRequest, owner_cursor: Any) -> Iterator[None]:
    commit_now(django_db_blocker, folder_for_the_journey)
    yield
    remove_journey_history(owner_cursor)
    commit_now(django_db_blocker, remove_journey_documents)


def png_bytes() -> list[int]:
    buffer = io.BytesIO()
    Image.new("RGB", (24, 16), "#2e7d32").save(buffer, "PNG")
    return list(buffer.getvalue())


def test_staff_publishes_by_drag_and_drop_and_a_contact_finds_previews_and_downloads(
    journey_folder: None, page: Page, live_url: str
) -> None:
    portal = live_url.replace("://localhost", "://demo.localhost")
    sign_in(page, portal, "mia.member@northwind.example")
    page.goto(f"{portal}/clients/1/documents/")
    page.locator("#upload-form").get_by_role("combobox", name="Folder", exact=True).select_option(
        label="Journey reports"
    )
    files = page.evaluate_handle(
        """(png) => {
            const data = new DataTransfer();
            data.items.add(new File(["Kick-off minutes: scope agreed"], "kickoff-minutes.txt", {type: "text/plain"}));
            data.items.add(new File([new Uint8Array(png)], "site-photo.png", {type: "image/png"}));
            const long = "Steering committee minutes.\\n".repeat(5000);
            data.items.add(new File([long], "long-minutes.txt", {type: "text/plain"}));
            return data;
        }""",
        png_bytes(),
    )
    page.dispatch_event("#dropzone", "drop", {"dataTransfer": files})
    expect(page.get_by_role("cell", name="site-photo", exact=True)).to_be_visible(timeout=15000)
    expect(page.get_by_role("cell", name="kickoff-minutes", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="long-minutes", exact=True)).to_be_visible()  # sent in resumable chunks
    screenshot(page, "documents-1-published")

    page.context.clear_cookies()
    sign_in(page, portal, "victor.viewer@contoso.example")
    page.get_by_role("link", name="Documents", exact=True).click()
    page.get_by_label("Search titles and descriptions").fill("photo")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("cell", name="site-photo", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="kickoff-minutes", exact=True)).not_to_be_visible()
    screenshot(page, "documents-2-found")

    page.get_by_role("link", name="Preview site-photo").click()  # in the page, not a new tab
    viewer = page.locator("#preview figure.viewer img")
    expect(viewer).to_be_visible()
    viewer.evaluate("(img) => img.decode()")
    assert viewer.evaluate("(img) => img.naturalWidth") == 24  # the picture itself, re-encoded by the portal
    assert "/pages/1.png" in (viewer.get_attribute("src") or "")
    screenshot(page, "documents-3-preview")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download", exact=True).click()
    assert download.value.suggested_filename == "site-photo.png"
    with open(download.value.path(), "rb") as saved:
        assert saved.read(8) == b"\x89PNG\r\n\x1a\n"
