"""Resumable uploads (tus 1.0 core): create, send in chunks, resume after an interruption from the offset the
server reports, and publish through the usual checks on the last chunk."""

import base64
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from portal.clients.models import ClientOrg
from portal.documents.models import Document, Folder, ResumableUpload
from portal.documents.resumable import part_path

pytestmark = pytest.mark.django_db
CONTENT = b"Minutes of the steering committee.\n" * 4000  # 140 KB of text
TUS = {"tus-resumable": "1.0.0"}


def metadata(**values: str) -> str:
    return ",".join(f"{key} {base64.b64encode(value.encode()).decode()}" for key, value in values.items())


@pytest.fixture
def folder(in_demo: Any) -> Folder:
    return Folder.objects.create(client_org=ClientOrg.objects.get(name="Contoso Retail"), name="Large files")


@pytest.fixture
def mia(as_user: Any) -> Client:
    return as_user(User.objects.get(email="mia.member@northwind.example"))


def create(client: Client, folder: Folder, length: int = len(CONTENT), name: str = "minutes.txt") -> Any:
    return client.post(
        reverse("documents:resumable_create", kwargs={"org_id": folder.client_org_id}),
        headers={**TUS, "upload-length": str(length),
                 "upload-metadata": metadata(filename=name, folder=str(folder.pk), category="report")},
    )  # fmt: skip


def patch(client: Client, location: str, offset: int, data: bytes) -> Any:
    return client.generic(
        "PATCH", location, data, content_type="application/offset+octet-stream",
        headers={**TUS, "upload-offset": str(offset)},
    )  # fmt: skip


def test_an_interrupted_upload_resumes_from_the_servers_offset_and_publishes(mia: Client, folder: Folder) -> None:
    created = create(mia, folder)
    assert created.status_code == 201
    location = created["Location"]

    first = patch(mia, location, 0, CONTENT[:50_000])
    assert first["Upload-Offset"] == "50000"
    # the connection drops; the browser asks where to go on from
    offset = int(mia.head(location, headers=TUS)["Upload-Offset"])
    assert offset == 50_000
    assert patch(mia, location, 10, b"stale").status_code == 409

    last = patch(mia, location, offset, CONTENT[offset:])

    assert last.status_code == 204
    document = Document.objects.get(pk=int(last["Portico-Document"]))
    version = document.versions.get()
    assert (document.title, document.category, version.size) == ("minutes", "report", len(CONTENT))
    assert not part_path(str(ResumableUpload.objects.get().pk)).exists()


def test_only_the_person_who_started_an_upload_can_continue_it(mia: Client, as_user: Any, folder: Folder) -> None:
    location = create(mia, folder)["Location"]
    adam: Client = as_user(User.objects.get(email="adam.admin@northwind.example"))

    assert adam.head(location, headers=TUS).status_code == 404
    assert patch(adam, location, 0, CONTENT).status_code == 404


def test_a_contact_cannot_start_one(as_user: Any, folder: Folder) -> None:
    carla: Client = as_user(User.objects.get(email="carla.admin@contoso.example"))

    assert create(carla, folder).status_code == 404


def test_limits_are_checked_at_creation(mia: Client, folder: Folder, settings: Any) -> None:
    settings.DOCUMENT_MAX_BYTES = 1000

    too_big = create(mia, folder, length=5000)
    empty = create(mia, folder, length=0)

    assert too_big.status_code == 413
    assert empty.status_code == 400
    assert not ResumableUpload.objects.exists()


def test_more_data_than_declared_is_refused(mia: Client, folder: Folder) -> None:
    location = create(mia, folder, length=10)["Location"]

    assert patch(mia, location, 0, CONTENT[:20]).status_code == 413
    assert not Document.objects.exists()


def test_a_file_whose_content_is_refused_publishes_nothing_and_leaves_no_part(mia: Client, folder: Folder) -> None:
    disguised = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" * 10
    location = create(mia, folder, length=len(disguised), name="report.txt")["Location"]
    upload_id = location.rstrip("/").rsplit("/", 1)[-1]

    response = patch(mia, location, 0, disguised)

    assert response.status_code == 400
    assert "report.txt" in response.json()["error"]
    assert not Document.objects.exists()
    assert not part_path(upload_id).exists()


def test_parts_of_abandoned_uploads_are_swept_after_a_day(mia: Client, folder: Folder) -> None:
    import os
    import time

    from portal.documents.tasks import sweep_uploads_task

    old = create(mia, folder)["Location"]
    recent = create(mia, folder)["Location"]
    patch(mia, old, 0, CONTENT[:1000])
    patch(mia, recent, 0, CONTENT[:1000])
    old_part = part_path(old.rstrip("/").rsplit("/", 1)[-1])
    a_day_ago = time.time() - 25 * 60 * 60
    os.utime(old_part, (a_day_ago, a_day_ago))

    assert sweep_uploads_task.apply().get() == 1
    assert not old_part.exists()
    assert part_path(recent.rstrip("/").rsplit("/", 1)[-1]).exists()


def test_after_too_much_data_the_upload_resumes_from_the_recorded_offset(mia: Client, folder: Folder) -> None:
    location = create(mia, folder, length=1000)["Location"]
    assert patch(mia, location, 0, CONTENT[:400]).status_code == 204
    assert patch(mia, location, 400, CONTENT[:2000]).status_code == 413  # the extra bytes are not kept

    assert mia.head(location, headers=TUS)["Upload-Offset"] == "400"
    done = patch(mia, location, 400, CONTENT[400:1000])

    assert done.status_code == 204
    assert Document.objects.get(pk=int(done["Portico-Document"])).versions.get().size == 1000


def test_a_complete_upload_is_published_once(mia: Client, folder: Folder) -> None:
    location = create(mia, folder, length=1000)["Location"]
    assert patch(mia, location, 0, CONTENT[:1000]).status_code == 204

    again = patch(mia, location, 1000, b"")

    assert again.status_code in (404, 409)
    assert Document.objects.count() == 1
