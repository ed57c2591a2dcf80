"""The scanning path against a fake clamd: clean, infected (quarantined, never published), too large to scan
(refused or flagged as the portal chose, never called clean), and a scanner that does not answer."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from portal.access.policy import actor_for
from portal.clients.models import ClientOrg
from portal.documents.models import Document, DocumentVersion, Folder, QuarantinedFile
from portal.documents.services import DocumentError, documents_upload
from tenants.models import Tenant
from tests.support.fake_clamd import EICAR, fake_clamd
from tests.support.network import closed_port
from tests.support.seeded import recent

pytestmark = pytest.mark.django_db


@pytest.fixture
def clamd(settings: Any) -> Iterator[Any]:
    with fake_clamd(scan_limit=64 * 1024) as server:
        settings.CLAMD_ADDRESS = f"127.0.0.1:{server.server_address[1]}"
        settings.CLAMD_STREAM_MAX_BYTES = 64 * 1024  # our limit matches clamd's
        yield server


@pytest.fixture
def folder(in_demo: Any) -> Folder:
    return Folder.objects.create(client_org=ClientOrg.objects.get(name="Contoso Retail"), name="Incoming")


def publish(folder: Folder, name: str, content: bytes) -> list[Document]:
    mia = actor_for(User.objects.get(email="mia.member@northwind.example"))
    return documents_upload(actor=mia, folder=folder, uploads=[SimpleUploadedFile(name, content)])


def test_a_clean_file_is_published_as_scanned(clamd: Any, folder: Folder) -> None:
    [document] = publish(folder, "notes.txt", b"meeting notes")

    assert document.versions.get().scan_status == "clean"
    assert clamd.received == [len(b"meeting notes")]


def test_an_infected_file_is_quarantined_and_never_published(clamd: Any, folder: Folder) -> None:
    with pytest.raises(DocumentError, match="contains malware \\(Eicar-Test-Signature\\)"):
        publish(folder, "invoice.txt", EICAR)

    assert not recent(Document).exists()
    quarantined = QuarantinedFile.objects.get()
    assert quarantined.signature == "Eicar-Test-Signature"
    assert str(quarantined.file.name).startswith("demo/quarantine/")
    assert default_storage.exists(str(quarantined.file.name))


def test_a_file_too_large_to_scan_is_never_sent_and_refused_by_default(clamd: Any, folder: Folder) -> None:
    big_and_infected = EICAR + b"x" * (128 * 1024)  # the fake, like clamd, would call this clean

    with pytest.raises(DocumentError, match="too large for the virus scanner"):
        publish(folder, "archive.txt", big_and_infected)

    assert clamd.received == []
    assert not recent(DocumentVersion).exists()


def test_a_file_too_large_to_scan_is_flagged_where_the_portal_accepts_them(
    clamd: Any, folder: Folder, in_demo: Tenant
) -> None:
    in_demo.unscanned_files = "flag"

    [document] = publish(folder, "archive.txt", b"y" * (128 * 1024))

    assert document.versions.get().scan_status == "too_large"
    assert document.versions.get().get_scan_status_display() == "Not scanned: too large"


def test_a_scanner_that_does_not_answer_refuses_the_upload(settings: Any, folder: Folder) -> None:
    settings.CLAMD_ADDRESS = f"127.0.0.1:{closed_port()}"

    with pytest.raises(DocumentError, match="could not be checked for viruses"):
        publish(folder, "notes.txt", b"meeting notes")
    assert not recent(Document).exists()


def test_without_a_scanner_files_are_marked_not_scanned(settings: Any, folder: Folder) -> None:
    settings.CLAMD_ADDRESS = ""

    [document] = publish(folder, "notes.txt", b"meeting notes")

    assert document.versions.get().scan_status == "not_configured"


def test_an_archive_member_clamd_could_not_scan_is_not_called_clean(clamd: Any, folder: Folder) -> None:
    from tests.support.fake_clamd import ZIP_BOMBISH

    with pytest.raises(DocumentError, match="too large for the virus scanner"):
        publish(folder, "notes.txt", b"notes " + ZIP_BOMBISH)
    assert not recent(Document).exists()
