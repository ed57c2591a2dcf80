"""The S3 path, against moto's S3 server on a loopback port, with real boto3 / django-storages calls: upload,
versioning, presigned download (after the permission check), deletion."""

import io
import shutil
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from moto.server import ThreadedMotoServer
from PIL import Image

from accounts.models import User
from portal.access.policy import actor_for
from portal.clients.models import ClientOrg
from portal.documents.models import Document, DownloadEvent, Folder
from portal.documents.services import document_delete, documents_upload
from tests.support.network import free_port

pytestmark = pytest.mark.django_db
BUCKET = "portico-test-media"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint: str, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {"bucket_name": BUCKET, "endpoint_url": s3_endpoint, "region_name": "us-east-1",
                        "querystring_auth": True, "querystring_expire": 300, "file_overwrite": False,
                        "signature_version": "s3v4"},
        },
    }  # fmt: skip
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def keys(client: Any) -> list[str]:
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_upload_versions_presigned_download_and_deletion_on_s3(
    bucket: Any, in_demo: Any, as_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    mia = actor_for(User.objects.get(email="mia.member@northwind.example"))
    folder = Folder.objects.create(client_org=ClientOrg.objects.get(name="Contoso Retail"), name="Reports")

    [document] = documents_upload(actor=mia, folder=folder, uploads=[SimpleUploadedFile("plan.txt", b"version one")])
    documents_upload(
        actor=mia, folder=folder, uploads=[SimpleUploadedFile("plan.txt", b"version two")], document=document
    )

    stored = keys(bucket)
    assert len(stored) == 2
    assert all(key.startswith(f"demo/documents/{document.pk}/") for key in stored)
    latest = document.versions.first()
    assert latest is not None
    assert latest.number == 2

    victor: Client = as_user(User.objects.get(email="victor.viewer@contoso.example"))
    response = victor.get(reverse("documents:download", kwargs={"version_id": latest.pk}))
    assert response.status_code == 302
    url = response["Location"]
    assert "X-Amz-Expires=300" in url
    assert "response-content-disposition=attachment" in url
    with urllib.request.urlopen(url, timeout=5) as presigned:
        assert presigned.read() == b"version two"
    assert DownloadEvent.objects.filter(version=latest).count() == 1
    hana: Client = as_user(User.objects.get(email="hana.admin@fabrikam.example"))
    assert hana.get(reverse("documents:download", kwargs={"version_id": latest.pk})).status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        document_delete(actor=mia, document=document)

    assert keys(bucket) == []
    assert not Document.objects.filter(pk=document.pk).exists()


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils renders PDFs (make installs it)")
def test_page_images_are_read_and_kept_through_s3(
    bucket: Any, in_demo: Any, as_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The preview never assumes a local path: the PDF is read through the storage, the page images are stored
    in the bucket next to the documents and served by the portal (no presigned redirect an <img> could not
    follow under the portal's CSP), and they go with the document."""
    mia = actor_for(User.objects.get(email="mia.member@northwind.example"))
    folder = Folder.objects.create(client_org=ClientOrg.objects.get(name="Contoso Retail"), name="Reports")
    pages = [Image.new("RGB", (300, 400), colour) for colour in ("#ffffff", "#000000")]
    content = io.BytesIO()
    pages[0].save(content, "PDF", save_all=True, append_images=pages[1:])
    [document] = documents_upload(
        actor=mia, folder=folder, uploads=[SimpleUploadedFile("pack.pdf", content.getvalue())]
    )
    version = document.versions.get()
    victor: Client = as_user(User.objects.get(email="victor.viewer@contoso.example"))

    response: Any = victor.get(reverse("documents:page_image", kwargs={"version_id": version.pk, "page": 2}))

    assert response.status_code == 200
    darkness = Image.open(io.BytesIO(b"".join(response.streaming_content))).convert("L").getpixel((5, 5))
    assert isinstance(darkness, int)
    assert darkness < 20  # the second page, black
    assert f"demo/previews/{version.pk}/2.png" in keys(bucket)
    with django_capture_on_commit_callbacks(execute=True):
        document_delete(actor=mia, document=document)
    assert keys(bucket) == []
