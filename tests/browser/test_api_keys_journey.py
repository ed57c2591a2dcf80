"""An owner creates an API key in the browser and sees its token once; a system uses it (over HTTP, against the
live server) to upsert a client by its own id and publish a document, which then appears for that client's
contact; the owner revokes the key and the next call is refused (401)."""

import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from playwright.sync_api import Page, expect

from portal.api.models import ApiKey
from portal.clients.models import ClientOrg
from portal.documents.models import Folder
from tests.browser.conftest import screenshot
from tests.browser.journeys import owner_in_demo, remove_events, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
OLIVIA, CARLA = "olivia.owner@northwind.example", "carla.admin@contoso.example"
KEY_NAME = "Journey ERP sync"
EXTERNAL_ID = "JOURNEY-CONTOSO"
TITLE = "Journey: signed statement of work"


def remove_journey(owner_cursor: Any) -> None:
    """Undo what the journey committed: the key and everything it did (its events, the document it published,
    the external id it gave Contoso). Young events are immutable for everyone; the owner role lifts the trigger for
    its own transaction only."""
    with owner_in_demo(owner_cursor) as cursor:
        cursor.execute("SELECT id FROM documents_document WHERE title = %s", [TITLE])
        documents = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT id FROM api_apikey WHERE name = %s", [KEY_NAME])
        keys = [row[0] for row in cursor.fetchall()]
        remove_events(
            cursor,
            "actor_label LIKE %s OR (target_type = 'documents.document' AND target_id = ANY(%s)) "
            "OR (target_type = 'api.apikey' AND target_id = ANY(%s))",
            [f"%{KEY_NAME}%", documents, keys],
        )
        cursor.execute("DELETE FROM documents_documentversion WHERE document_id = ANY(%s)", [documents])
        cursor.execute("DELETE FROM documents_document WHERE id = ANY(%s)", [documents])
        cursor.execute("DELETE FROM api_apikey_clients WHERE apikey_id = ANY(%s)", [keys])
        cursor.execute("DELETE FROM api_apikey WHERE id = ANY(%s)", [keys])
        cursor.execute("UPDATE clients_clientorg SET external_id = NULL WHERE external_id = %s", [EXTERNAL_ID])


@pytest.fixture
def journey_cleanup(owner_cursor: Any) -> Iterator[None]:
    remove_journey(owner_cursor)
    yield
    remove_journey(owner_cursor)


def contoso_synced_before() -> tuple[int, int]:
    """Contoso, as an earlier sync left it: known to the ERP by its id; and its shared folder."""
    contoso = ClientOrg.objects.get(name="Contoso Retail")
    contoso.external_id = EXTERNAL_ID
    contoso.save(update_fields=["external_id"])
    folder = Folder.objects.filter(client_org=contoso, internal=False).order_by("pk").first()
    assert folder is not None
    return contoso.pk, folder.pk


def test_an_owner_creates_a_key_a_system_syncs_with_it_and_revoking_it_stops_it(
    journey_cleanup: None, in_demo: Callable[[Callable[[], Any]], Any], page: Page, live_url: str
) -> None:
    portal = live_url.replace("://localhost", "://demo.localhost")
    org_id, folder_id = in_demo(contoso_synced_before)

    # 1. Olivia creates a key for the ERP: clients and documents, read and write, every client.
    sign_in(page, portal, OLIVIA)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="API keys").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API keys")
    page.get_by_label("Name").fill(KEY_NAME)
    page.get_by_label("Client organisations").select_option("write")
    page.get_by_label("Folders and documents").select_option("write")
    page.get_by_role("button", name="Create the key").click()
    token_box = page.locator("#new-token")
    expect(token_box).to_be_visible()
    token = token_box.input_value()
    assert re.fullmatch(r"pk_[0-9a-f]{10}\.[\w-]{40,}", token), token
    screenshot(page, "api-1-key-created")

    # Shown once: the list afterwards names the key by its prefix, never the secret.
    page.goto(f"{portal}/settings/api-keys/")
    row = page.get_by_role("row").filter(has_text=KEY_NAME)
    expect(row).to_contain_text(token.split(".")[0])
    assert token.split(".")[1] not in page.content()

    # 2. The ERP upserts Contoso by its own id and publishes a document to it.
    api = requests.Session()
    api.headers.update({"Host": urlsplit(portal).hostname or "", "Authorization": f"Bearer {token}"})
    base = live_url.replace("://localhost", "://127.0.0.1")  # Python does not resolve *.localhost
    upserted = api.put(f"{base}/api/v1/clients/by-external-id/{EXTERNAL_ID}/", json={"name": "Contoso Retail"})
    assert upserted.status_code == 200, upserted.text  # found by its external id: changed, not created
    assert upserted.json()["id"] == org_id
    published = api.post(
        f"{base}/api/v1/clients/{org_id}/documents/",
        data={"folder": folder_id, "title": TITLE},
        files={"file": ("sow.txt", b"Statement of work, signed.\n", "text/plain")},
        headers={"Idempotency-Key": str(uuid.uuid4())},  # kept 24 h: a fresh one per run
    )
    assert published.status_code == 201, published.text

    # 3. Carla, Contoso's contact, finds it among her documents.
    sign_in(page, portal, CARLA)
    page.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile(r"^Documents\b")).click()
    expect(page.get_by_role("link", name=TITLE, exact=True)).to_be_visible()
    screenshot(page, "api-2-document-for-the-contact")

    # 4. Olivia revokes the key; the ERP's next call is refused.
    sign_in(page, portal, OLIVIA)
    page.goto(f"{portal}/settings/api-keys/")
    page.get_by_role("row").filter(has_text=KEY_NAME).get_by_role("button", name="Revoke").click()
    page.get_by_role("dialog").get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("row").filter(has_text=KEY_NAME)).to_contain_text("Revoked")
    screenshot(page, "api-3-key-revoked")
    refused = api.get(f"{base}/api/v1/clients/")
    assert refused.status_code == 401
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert in_demo(lambda: ApiKey.objects.get(name=KEY_NAME).revoked_at is not None)
