"""Thumbnails are made in Celery after publishing: images with Pillow, PDFs' first page with pdftoppm."""

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from accounts.models import User
from portal.access.policy import actor_for
from portal.clients.models import ClientOrg
from portal.documents.models import Folder
from portal.documents.services import documents_upload

pytestmark = pytest.mark.django_db


def encoded(kind: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), "#aa3300").save(buffer, kind)
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "kind"), [("photo.png", "PNG"), ("report.pdf", "PDF")])
def test_a_thumbnail_is_made_after_publishing(in_demo: Any, told: Any, as_user: Any, name: str, kind: str) -> None:
    mia = User.objects.get(email="mia.member@northwind.example")
    folder = Folder.objects.create(client_org=ClientOrg.objects.get(name="Contoso Retail"), name="Pictures")
    with told():
        [document] = documents_upload(
            actor=actor_for(mia), folder=folder, uploads=[SimpleUploadedFile(name, encoded(kind))]
        )

    version = document.versions.get()
    version.refresh_from_db()
    assert str(version.thumbnail.name) == f"demo/thumbnails/{version.pk}.png"
    victor: Client = as_user(User.objects.get(email="victor.viewer@contoso.example"))
    response: Any = victor.get(reverse("documents:thumbnail", kwargs={"version_id": version.pk}))
    thumbnail = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert max(thumbnail.size) <= 320
    hana: Client = as_user(User.objects.get(email="hana.admin@fabrikam.example"))
    assert hana.get(reverse("documents:thumbnail", kwargs={"version_id": version.pk})).status_code == 404


def test_an_image_declaring_too_many_pixels_gets_no_thumbnail_and_no_error(in_demo: Any, told: Any) -> None:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 20000, 20000, 8, 2, 0, 0, 0)
    bomb = (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )
    mia = User.objects.get(email="mia.member@northwind.example")
    folder = Folder.objects.create(client_org=ClientOrg.objects.get(name="Contoso Retail"), name="Pictures")
    with told():
        [document] = documents_upload(
            actor=actor_for(mia), folder=folder, uploads=[SimpleUploadedFile("big.png", bomb)]
        )

    version = document.versions.get()
    version.refresh_from_db()
    assert not version.thumbnail


def test_deleting_a_document_removes_its_thumbnail(in_demo: Any, told: Any) -> None:
    from django.core.files.storage import default_storage

    from portal.documents.services import document_delete

    mia = actor_for(User.objects.get(email="mia.member@northwind.example"))
    folder = Folder.objects.create(client_org=ClientOrg.objects.get(name="Contoso Retail"), name="Pictures")
    with told():
        [document] = documents_upload(actor=mia, folder=folder, uploads=[SimpleUploadedFile("p.png", encoded("PNG"))])
    version = document.versions.get()
    version.refresh_from_db()
    names = [str(version.file.name), str(version.thumbnail.name)]
    assert all(default_storage.exists(name) for name in names)

    with told():
        document_delete(actor=mia, document=document)

    assert not any(default_storage.exists(name) for name in names)
