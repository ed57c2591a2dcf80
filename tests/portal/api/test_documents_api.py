"""The documents endpoints: folders, documents listed and read, uploads through the checks of every upload (and
seen by the client's contacts in the portal), upsert by external id, downloads recorded, resumable uploads under
a key; a key reaches only its clients (404 for the others), and writes only with the write scope (403)."""

import base64
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.access.policy import SYSTEM, actor_for
from portal.activity.models import ActivityEvent, Notification
from portal.api.services import api_key_create
from portal.documents.models import Document, DownloadEvent, Folder, ResumableUpload
from portal.documents.services import documents_upload, upload_reserve
from tests.portal.conftest import HOST
from tests.portal.demo_people import carla, contoso, fabrikam, mia, olivia

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
TEXT = b"Minutes of the steering committee.\n" * 200
KEY_LABEL = "API key “ERP sync”"
PROBLEM = "application/problem+json"


def api(token: str) -> Client:
    return Client(headers={"host": HOST, "authorization": f"Bearer {token}"})


def key(*scopes: str, clients: list[Any] | None = None, name: str = "ERP sync") -> Client:
    _key, token = api_key_create(
        actor=SYSTEM, name=name, scopes=list(scopes), all_clients=clients is None, clients=clients or []
    )
    return api(token)


@pytest.fixture
def erp(in_demo: Any) -> Client:
    """The ERP's key: documents read and write, Contoso only."""
    return key("documents:read", "documents:write", clients=[contoso()])


@pytest.fixture
def folder(in_demo: Any) -> Folder:
    return Folder.objects.create(client_org=contoso(), name="From the ERP")


@pytest.fixture
def theirs(in_demo: Any) -> Document:
    """A document of Fabrikam's, which the Contoso key does not reach."""
    other = Folder.objects.create(client_org=fabrikam(), name="Fabrikam's own")
    [document] = documents_upload(
        actor=actor_for(olivia()), folder=other, uploads=[pdf("secret.pdf")], external_id="FAB-1"
    )
    return document


def pdf(name: str = "Q3 report.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def upload(client: Client, org_id: int, **fields: Any) -> Any:
    return client.post(reverse("api:documents", kwargs={"org_id": org_id}), fields)


def upsert(client: Client, external_id: str, headers: dict[str, str] | None = None, **fields: Any) -> Any:
    """PUT multipart (the test client encodes multipart for POST only)."""
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    return client.put(
        reverse("api:document_by_external_id", kwargs={"external_id": external_id}),
        encode_multipart(BOUNDARY, fields), content_type=MULTIPART_CONTENT, headers=headers or {},
    )  # fmt: skip


def test_a_client_s_folders_are_listed_and_created(erp: Client, folder: Folder) -> None:
    address = reverse("api:folders", kwargs={"org_id": contoso().pk})

    listed = erp.get(address)
    created = erp.post(address, {"name": "Contracts", "internal": True}, content_type="application/json")
    again = erp.post(address, {"name": "contracts"}, content_type="application/json")

    assert listed.status_code == 200
    assert {"id": folder.pk, "name": "From the ERP", "internal": False} in [
        {name: row[name] for name in ("id", "name", "internal")} for row in listed.json()
    ]
    assert created.status_code == 201, created.json()
    assert Folder.objects.get(pk=created.json()["id"]).client_org == contoso()
    assert again.status_code == 422
    assert again["Content-Type"] == PROBLEM
    assert "name" in again.json()["errors"]


def test_an_upload_is_published_with_its_details_and_the_client_s_contacts_see_it(
    erp: Client, folder: Folder, as_user: Callable[[Any], Client], told: Any
) -> None:
    with told():
        response = upload(
            erp, contoso().pk, file=pdf(), folder=folder.pk, title="Quarterly report Q3", category="report",
            external_id="ERP-DOC-1",
        )  # fmt: skip

    assert response.status_code == 201, response.json()
    body = response.json()
    document = Document.objects.get(pk=body["id"])
    version = document.versions.get()
    assert (body["title"], body["folder"], body["category"], body["external_id"]) == (
        "Quarterly report Q3", folder.pk, "report", "ERP-DOC-1",
    )  # fmt: skip
    assert (body["version"], body["size"], body["content_type"], body["sha256"]) == (
        1, len(PDF), "application/pdf", version.sha256,
    )  # fmt: skip
    assert body["download_url"].endswith(reverse("api:document_download", kwargs={"document_id": document.pk}))
    assert response["Location"] == reverse("api:document", kwargs={"document_id": document.pk})
    assert version.uploaded_by is None
    event = ActivityEvent.objects.get(verb="document.published", target_id=document.pk)
    assert (event.actor_id, event.actor_label) == (None, KEY_LABEL)
    assert Notification.objects.filter(user=carla(), event=event).exists()
    page = as_user(carla()).get(reverse("documents:list", kwargs={"org_id": contoso().pk}))
    assert "Quarterly report Q3" in page.content.decode()


def test_documents_are_listed_changed_since_and_read_with_an_etag(erp: Client, folder: Folder) -> None:
    made = upload(erp, contoso().pk, file=pdf(), folder=folder.pk).json()
    address = reverse("api:documents", kwargs={"org_id": contoso().pk})
    later = (timezone.now() + timedelta(minutes=1)).isoformat()

    listed = erp.get(address, {"updated_since": made["updated_at"]})
    none = erp.get(address, {"updated_since": later})
    read = erp.get(reverse("api:document", kwargs={"document_id": made["id"]}))

    assert [row["id"] for row in listed.json()["results"]] == [made["id"]]
    assert none.json()["results"] == []
    assert read.status_code == 200
    assert read.json() == made
    assert read["ETag"]


def test_an_upsert_twice_gives_one_document_with_a_second_version(erp: Client, folder: Folder) -> None:
    first = upsert(erp, "ERP-77", file=pdf("Invoice 77.pdf"), folder=folder.pk, category="invoice")
    second = upsert(erp, "ERP-77", file=pdf("Invoice 77.pdf", PDF + b"% corrected\n"), folder=folder.pk)

    assert first.status_code == 201, first.json()
    assert second.status_code == 200, second.json()
    assert first.json()["id"] == second.json()["id"]
    document = Document.objects.get(external_id="ERP-77")
    assert (document.title, document.category, document.folder) == ("Invoice 77", "invoice", folder)
    assert list(document.versions.values_list("number", flat=True)) == [2, 1]
    assert second.json()["version"] == 2
    assert second.json()["sha256"] == document.versions.first().sha256  # type: ignore[union-attr]
    assert ActivityEvent.objects.filter(verb="document.version_added", target_id=document.pk).count() == 1


def test_an_upsert_on_a_stale_etag_changes_nothing(erp: Client, folder: Folder) -> None:
    made = upsert(erp, "ERP-78", file=pdf(), folder=folder.pk)
    upsert(erp, "ERP-78", file=pdf(content=PDF + b"%v2\n"))

    stale = upsert(erp, "ERP-78", file=pdf(content=PDF + b"%v3\n"), headers={"If-Match": made["ETag"]})

    assert stale.status_code == 412
    assert Document.objects.get(external_id="ERP-78").versions.count() == 2


def test_the_download_is_the_current_version_and_is_recorded(erp: Client, folder: Folder) -> None:
    made = upsert(erp, "ERP-79", file=pdf(), folder=folder.pk)
    upsert(erp, "ERP-79", file=pdf(content=PDF + b"%v2\n"))

    response = erp.get(made.json()["download_url"])

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF + b"%v2\n"  # type: ignore[attr-defined]
    assert "attachment" in response["Content-Disposition"]
    record = DownloadEvent.objects.get(document_id=made.json()["id"])
    assert (record.version_number, record.user, record.user_label) == (2, None, KEY_LABEL)


def test_a_key_for_contoso_gets_404_for_fabrikam_s_folders_documents_and_downloads(
    erp: Client, folder: Folder, theirs: Document
) -> None:
    fabrikam_id = theirs.folder.client_org_id
    answers = {
        "folders": erp.get(reverse("api:folders", kwargs={"org_id": fabrikam_id})),
        "new folder": erp.post(
            reverse("api:folders", kwargs={"org_id": fabrikam_id}), {"name": "X"}, content_type="application/json"
        ),
        "documents": erp.get(reverse("api:documents", kwargs={"org_id": fabrikam_id})),
        "document": erp.get(reverse("api:document", kwargs={"document_id": theirs.pk})),
        "download": erp.get(reverse("api:document_download", kwargs={"document_id": theirs.pk})),
        "upload": upload(erp, fabrikam_id, file=pdf(), folder=theirs.folder_id),
        "upload into their folder": upload(erp, contoso().pk, file=pdf(), folder=theirs.folder_id),
        "upsert into their folder": upsert(erp, "NEW-1", file=pdf(), folder=theirs.folder_id),
        "upsert of their document": upsert(erp, "FAB-1", file=pdf()),
    }

    assert {what: answer.status_code for what, answer in answers.items()} == dict.fromkeys(answers, 404)
    assert all(answer["Content-Type"] == PROBLEM for answer in answers.values())
    assert theirs.versions.count() == 1
    assert not DownloadEvent.objects.filter(document_id=theirs.pk).exists()


def test_a_read_only_key_gets_403_on_upload(in_demo: Any, folder: Folder) -> None:
    reader = key("documents:read")

    listed = reader.get(reverse("api:documents", kwargs={"org_id": contoso().pk}))
    refused = upload(reader, contoso().pk, file=pdf(), folder=folder.pk)

    assert listed.status_code == 200
    assert refused.status_code == 403
    assert refused["Content-Type"] == PROBLEM
    assert "documents:write" in refused.json()["detail"]
    assert not folder.documents.exists()


def test_a_file_over_the_limit_or_of_a_refused_type_gets_422_on_the_file(
    erp: Client, folder: Folder, settings: Any
) -> None:
    disguised = upload(
        erp, contoso().pk, file=pdf("invoice.pdf", b"MZ\x90\x00 an executable \x00\x01"), folder=folder.pk
    )
    settings.DOCUMENT_MAX_BYTES = 10
    too_large = upload(erp, contoso().pk, file=pdf(), folder=folder.pk)

    for refused in (disguised, too_large):
        assert refused.status_code == 422
        assert refused["Content-Type"] == PROBLEM
        assert list(refused.json()["errors"]) == ["file"]
    assert "not accepted" in disguised.json()["detail"]
    assert "larger than" in too_large.json()["detail"]
    assert not folder.documents.exists()


def test_a_new_document_needs_a_folder_and_an_existing_one_stays_in_its_own(erp: Client, folder: Folder) -> None:
    other = Folder.objects.create(client_org=contoso(), name="Elsewhere")
    upsert(erp, "ERP-80", file=pdf(), folder=folder.pk)

    no_folder = upsert(erp, "ERP-81", file=pdf())
    moved = upsert(erp, "ERP-80", file=pdf(), folder=other.pk)

    assert (no_folder.status_code, list(no_folder.json()["errors"])) == (422, ["folder"])
    assert (moved.status_code, list(moved.json()["errors"])) == (422, ["folder"])


def test_an_external_id_is_unique_on_upload_too(erp: Client, folder: Folder) -> None:
    upload(erp, contoso().pk, file=pdf(), folder=folder.pk, external_id="ERP-90")

    again = upload(erp, contoso().pk, file=pdf(), folder=folder.pk, external_id="ERP-90")

    assert (again.status_code, list(again.json()["errors"])) == (422, ["external_id"])


# --- resumable uploads -------------------------------------------------------------------------------------------


def metadata(**values: str) -> str:
    return ",".join(f"{name} {base64.b64encode(value.encode()).decode()}" for name, value in values.items())


def start(client: Client, folder: Folder, length: int = len(TEXT), org_id: int | None = None) -> Any:
    return client.post(
        reverse("api:document_uploads", kwargs={"org_id": org_id or folder.client_org_id}),
        headers={"tus-resumable": "1.0.0", "upload-length": str(length),
                 "upload-metadata": metadata(filename="minutes.txt", folder=str(folder.pk), category="report")},
    )  # fmt: skip


def send(client: Client, location: str, offset: int, data: bytes) -> Any:
    return client.generic(
        "PATCH", location, data, content_type="application/offset+octet-stream",
        headers={"tus-resumable": "1.0.0", "upload-offset": str(offset)},
    )  # fmt: skip


def test_a_resumable_upload_under_a_key_resumes_and_publishes(erp: Client, folder: Folder) -> None:
    created = start(erp, folder)
    assert created.status_code == 201
    location = created["Location"]
    assert location.startswith("/api/v1/documents/uploads/")

    first = send(erp, location, 0, TEXT[:1000])
    offset = int(erp.head(location, headers={"tus-resumable": "1.0.0"})["Upload-Offset"])
    stale = send(erp, location, 10, b"stale")
    last = send(erp, location, offset, TEXT[offset:])

    assert (first.status_code, offset) == (204, 1000)
    assert stale.status_code == 409
    assert stale["Content-Type"] == PROBLEM
    assert last.status_code == 204
    document = Document.objects.get(pk=int(last["Portico-Document"]))
    assert (document.title, document.category, document.folder) == ("minutes", "report", folder)
    assert document.versions.get().uploaded_by is None
    assert ActivityEvent.objects.get(verb="document.published", target_id=document.pk).actor_label == KEY_LABEL


def test_a_resumable_upload_is_its_key_s_own(erp: Client, folder: Folder, theirs: Document) -> None:
    location = start(erp, folder)["Location"]
    other = key("documents:read", "documents:write", name="CRM")
    persons = upload_reserve(actor=actor_for(mia()), folder=folder, filename="big.txt", length=100)

    assert other.head(location).status_code == 404
    assert send(other, location, 0, TEXT).status_code == 404
    assert erp.head(reverse("api:document_upload", kwargs={"upload_id": persons.pk})).status_code == 404
    assert start(erp, theirs.folder).status_code == 404
    assert start(erp, theirs.folder, org_id=contoso().pk).status_code == 404
    assert ResumableUpload.objects.get(pk=location.rstrip("/").rsplit("/", 1)[-1]).offset == 0


def test_a_resumable_upload_too_large_is_refused_at_creation(erp: Client, folder: Folder, settings: Any) -> None:
    settings.DOCUMENT_MAX_BYTES = 1000

    refused = start(erp, folder, length=5000)

    assert refused.status_code == 413
    assert refused["Content-Type"] == PROBLEM
    assert "larger than" in refused.json()["detail"]
    assert not ResumableUpload.objects.filter(folder=folder).exists()


def test_uploads_count_against_the_upload_rate_per_key(
    erp: Client, folder: Folder, settings: Any, clean_cache: None
) -> None:
    settings.RATELIMIT_ENABLE = True
    settings.UPLOAD_RATE = "2/h"
    for number in range(2):
        assert upload(erp, contoso().pk, file=pdf(f"report {number}.pdf"), folder=folder.pk).status_code == 201
    other = key("documents:read", "documents:write", name="CRM")

    refused = upload(erp, contoso().pk, file=pdf("one more.pdf"), folder=folder.pk)
    allowed = upload(other, contoso().pk, file=pdf("theirs.pdf"), folder=folder.pk)

    assert (refused.status_code, refused["Content-Type"]) == (429, PROBLEM)
    assert int(refused["Retry-After"]) > 0
    assert allowed.status_code == 201
    assert folder.documents.count() == 3


def test_an_upload_retried_with_its_idempotency_key_publishes_once(erp: Client, folder: Folder) -> None:
    address = reverse("api:documents", kwargs={"org_id": contoso().pk})
    headers = {"Idempotency-Key": "upload-2026-12-04-1"}

    first = erp.post(address, {"file": pdf(), "folder": folder.pk}, headers=headers)
    again = erp.post(address, {"file": pdf(), "folder": folder.pk}, headers=headers)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert folder.documents.count() == 1
