"""Resumable uploads (tus 1.0 core): create, send in chunks, resume after an interruption from the offset the
server reports, and publish through the usual checks on the last chunk."""

import base64
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.http import parse_http_date
from django_tenants.utils import tenant_context

from accounts.models import User
from billing.models import Plan
from portal.clients.models import ClientOrg
from portal.documents.models import Document, Folder, ResumableUpload
from portal.documents.resumable import part_path
from portal.files.quota import storage_used
from tests.support.seeded import recent

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
    assert not recent(Document).exists()


def test_a_file_whose_content_is_refused_publishes_nothing_and_leaves_no_part(mia: Client, folder: Folder) -> None:
    disguised = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" * 10
    location = create(mia, folder, length=len(disguised), name="report.txt")["Location"]
    upload_id = location.rstrip("/").rsplit("/", 1)[-1]

    response = patch(mia, location, 0, disguised)

    assert response.status_code == 400
    assert "report.txt" in response.json()["error"]
    assert not recent(Document).exists()
    assert not part_path(upload_id).exists()


def upload_of(location: str) -> ResumableUpload:
    return ResumableUpload.objects.get(pk=location.rstrip("/").rsplit("/", 1)[-1])


def abandon(location: str, hours: float = 25) -> None:
    """Nobody has sent anything for `hours`."""
    ResumableUpload.objects.filter(pk=upload_of(location).pk).update(
        last_activity_at=timezone.now() - timedelta(hours=hours)
    )


def quota_of(tenant: Any, storage_bytes: int) -> None:
    Plan.objects.filter(pk=tenant.subscription.plan_id).update(storage_bytes=storage_bytes)
    tenant.subscription.plan.refresh_from_db()


def test_each_chunk_records_activity_and_says_when_the_upload_expires(mia: Client, folder: Folder) -> None:
    location = create(mia, folder)["Location"]
    abandon(location, hours=5)

    answer = patch(mia, location, 0, CONTENT[:1000])

    assert timezone.now() - upload_of(location).last_activity_at < timedelta(minutes=1)
    expires = parse_http_date(answer["Upload-Expires"])
    assert abs(expires - (timezone.now() + timedelta(days=1)).timestamp()) < 60


def test_an_upload_nobody_continues_expires_even_before_the_sweep(mia: Client, folder: Folder) -> None:
    location = create(mia, folder)["Location"]
    assert patch(mia, location, 0, CONTENT[:1000]).status_code == 204
    abandon(location)

    assert mia.head(location, headers=TUS).status_code == 404
    assert patch(mia, location, 1000, CONTENT[1000:2000]).status_code == 404


def test_expired_reservations_stop_counting_against_the_quota(
    mia: Client, as_user: Any, folder: Folder, in_demo: Any, settings: Any
) -> None:
    """The finding: one person's uploads that never sent a byte refused every upload in the portal."""
    settings.RESUMABLE_RESERVATION_MAX_BYTES = settings.DOCUMENT_MAX_BYTES = 10 * len(CONTENT)
    quota_of(in_demo, storage_used() + 10 * len(CONTENT))
    hoarded = [create(mia, folder, length=5 * len(CONTENT))["Location"] for _ in range(2)]
    adam: Client = as_user(User.objects.get(email="adam.admin@northwind.example"))

    refused = create(adam, folder)
    assert refused.status_code == 413
    assert "storage quota" in refused.json()["error"]

    for location in hoarded:
        abandon(location)

    assert create(adam, folder).status_code == 201


def test_a_person_may_hold_only_so_much_in_unfinished_uploads(
    mia: Client, as_user: Any, folder: Folder, settings: Any
) -> None:
    settings.RESUMABLE_RESERVATION_MAX_BYTES = 2 * len(CONTENT)
    first = create(mia, folder)["Location"]
    assert create(mia, folder).status_code == 201

    refused = create(mia, folder)

    assert refused.status_code == 413
    assert "at most" in refused.json()["error"]
    assert "unfinished uploads" in refused.json()["error"]
    adam: Client = as_user(User.objects.get(email="adam.admin@northwind.example"))
    assert create(adam, folder).status_code == 201  # the limit is per person
    assert patch(mia, first, 0, CONTENT).status_code == 204  # finishing one frees its room
    assert create(mia, folder).status_code == 201


def test_the_hourly_sweep_removes_expired_uploads_and_their_parts_in_every_tenant(
    mia: Client, folder: Folder, other: Any, told: Any, settings: Any
) -> None:
    from portal.documents.tasks import sweep_uploads_task

    old, recent = create(mia, folder)["Location"], create(mia, folder)["Location"]
    patch(mia, old, 0, CONTENT[:1000])
    patch(mia, recent, 0, CONTENT[:1000])
    abandon(old)
    old_part, recent_part = part_path(str(upload_of(old).pk)), part_path(str(upload_of(recent).pk))
    orphan = part_path(str(uuid.uuid4()))  # its upload is gone
    orphan.write_bytes(b"left behind")
    purged = Path(settings.RESUMABLE_UPLOAD_DIR) / "purged_portal"  # a schema no tenant has any more
    purged.mkdir(parents=True, exist_ok=True)
    (purged / str(uuid.uuid4())).write_bytes(b"left behind")
    with tenant_context(other):
        owner = User.objects.get(email="olivia.owner@northwind.example")
        org = ClientOrg.objects.create(name="Elsewhere", account_manager=owner)
        elsewhere = Folder.objects.create(client_org=org, name="Files")
        ResumableUpload.objects.create(
            id=uuid.uuid4(), user=owner, folder=elsewhere, filename="x.txt", length=10,
            last_activity_at=timezone.now() - timedelta(days=2),
        )  # fmt: skip

    with told():
        result = sweep_uploads_task.apply().get()

    assert result["orphan_parts"] == 1
    assert list(ResumableUpload.objects.values_list("pk", flat=True)) == [upload_of(recent).pk]
    assert (old_part.exists(), recent_part.exists(), orphan.exists(), purged.exists()) == (False, True, False, False)
    with tenant_context(other):
        assert not ResumableUpload.objects.exists()


def test_starting_uploads_is_rate_limited_per_person(
    mia: Client, as_user: Any, folder: Folder, settings: Any, clean_cache: None
) -> None:
    settings.RATELIMIT_ENABLE = True
    settings.UPLOAD_RATE = "2/h"
    assert create(mia, folder).status_code == 201
    url = reverse("documents:upload", kwargs={"org_id": folder.client_org_id})
    as_json = {"accept": "application/json"}
    dropped = mia.post(url, {"folder": folder.pk, "files": SimpleUploadedFile("notes.txt", b"notes")}, headers=as_json)
    assert dropped.status_code == 200

    tus_refused = create(mia, folder)
    drop_refused = mia.post(url, {"folder": folder.pk, "files": SimpleUploadedFile("b.txt", b"b")}, headers=as_json)
    form_refused = mia.post(url, {"folder": folder.pk, "files": SimpleUploadedFile("c.txt", b"c")}, follow=True)

    assert (tus_refused.status_code, drop_refused.status_code, form_refused.status_code) == (429, 429, 200)
    assert "many uploads" in tus_refused.json()["error"]
    assert tus_refused["Tus-Resumable"] == "1.0.0"
    assert "many uploads" in drop_refused.json()["error"]
    assert b"many uploads" in form_refused.content
    assert recent(Document).count() == 1
    adam: Client = as_user(User.objects.get(email="adam.admin@northwind.example"))
    assert create(adam, folder).status_code == 201


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
    assert recent(Document).count() == 1
