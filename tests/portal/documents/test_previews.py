"""In-page previews: page images rendered on the server (PDFs with pdftoppm, images with Pillow), guarded like
the download, stored once, never counted as downloads, removed with the document."""

import io
import shutil
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from accounts.models import User
from portal.access.policy import actor_for
from portal.clients.models import ClientOrg
from portal.documents import previews
from portal.documents.models import DocumentVersion, DownloadEvent, Folder
from portal.documents.services import document_delete, documents_upload
from tests.support.seeded import recent

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils renders PDFs (make installs it)"),
]
SignIn = Callable[[Any], Client]


def pdf(*colours: str) -> bytes:
    """A real PDF with one A4 page per colour."""
    pages = [Image.new("RGB", (595, 842), colour) for colour in colours]
    buffer = io.BytesIO()
    pages[0].save(buffer, "PDF", save_all=True, append_images=pages[1:])
    return buffer.getvalue()


def two_page_pdf() -> bytes:
    return pdf("#ffffff", "#1f4e79")


def near(pixel: Any, expected: tuple[int, int, int]) -> bool:
    return all(abs(a - b) <= 6 for a, b in zip(pixel, expected, strict=True))


def photo(size: tuple[int, int] = (2400, 1200)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "#aa3300").save(buffer, "JPEG")
    return buffer.getvalue()


def publish(name: str, content: bytes, *, internal: bool = False) -> DocumentVersion:
    org = ClientOrg.objects.get(name="Contoso Retail")
    folder, _created = Folder.objects.get_or_create(
        client_org=org, name="Staff only" if internal else "Previews", defaults={"internal": internal}
    )
    mia = actor_for(User.objects.get(email="mia.member@northwind.example"))
    [document] = documents_upload(actor=mia, folder=folder, uploads=[SimpleUploadedFile(name, content)])
    return document.versions.get()


def page_url(version: DocumentVersion, page: int) -> str:
    return reverse("documents:page_image", kwargs={"version_id": version.pk, "page": page})


def png_of(response: Any) -> Image.Image:
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    return Image.open(io.BytesIO(b"".join(response.streaming_content)))


@pytest.fixture
def victor(in_demo: Any, as_user: SignIn) -> Client:
    return as_user(User.objects.get(email="victor.viewer@contoso.example"))


def test_a_two_page_pdf_renders_two_readable_page_images_with_links_between_them(victor: Client) -> None:
    version = publish("Board pack.pdf", two_page_pdf())

    page = victor.get(reverse("documents:detail", kwargs={"document_id": version.document_id}))
    first = png_of(victor.get(page_url(version, 1)))
    second = png_of(victor.get(page_url(version, 2)))
    turned = victor.get(reverse("documents:detail", kwargs={"document_id": version.document_id}), {"page": "2"})

    assert page.context["viewer"].pages == 2
    assert f'src="{page_url(version, 1)}"' in page.content.decode()
    assert "Page 1 of 2" in page.content.decode()
    assert 'href="?page=2#preview"' in page.content.decode()
    assert max(first.size) == previews.LONG_SIDE
    assert near(first.convert("RGB").getpixel((10, 10)), (255, 255, 255))
    assert near(second.convert("RGB").getpixel((10, 10)), (31, 78, 121))
    assert f'src="{page_url(version, 2)}"' in turned.content.decode()
    assert 'href="?page=1#preview"' in turned.content.decode()
    assert not recent(DownloadEvent).exists()  # reading the preview is not taking the file


def test_rendering_new_pages_is_rate_limited_per_person_but_stored_pages_are_not(
    victor: Client, as_user: SignIn, settings: Any, clean_cache: None
) -> None:
    settings.RATELIMIT_ENABLE = True
    settings.PREVIEW_RENDER_RATE = "1/m"
    version = publish("Board pack.pdf", two_page_pdf())

    first = victor.get(page_url(version, 1))
    too_soon = victor.get(page_url(version, 2))
    again = victor.get(page_url(version, 1))  # stored: no rendering, not counted
    paula = as_user(User.objects.get(email="paula.lead@contoso.example")).get(page_url(version, 2))

    assert first.status_code == 200
    assert too_soon.status_code == 429
    assert too_soon["Retry-After"] == "60"
    assert again.status_code == 200
    assert paula.status_code == 200  # per person


@pytest.mark.parametrize("page", [0, 3, 999])
def test_a_page_the_version_does_not_have_is_404(victor: Client, page: int) -> None:
    version = publish("Board pack.pdf", two_page_pdf())

    assert victor.get(page_url(version, page)).status_code == 404


def test_a_page_out_of_range_on_the_detail_page_shows_the_nearest(victor: Client) -> None:
    version = publish("Board pack.pdf", two_page_pdf())
    detail = reverse("documents:detail", kwargs={"document_id": version.document_id})

    assert victor.get(detail, {"page": "7"}).context["viewer"].page == 2
    assert victor.get(detail, {"page": "x"}).context["viewer"].page == 1
    assert victor.get(detail, {"page": "²"}).context["viewer"].page == 1  # a digit to str.isdigit, not to int()
    assert victor.get(detail, {"page": "9" * 5000}).context["viewer"].page == 1


@pytest.mark.parametrize("who", ["other-client", "internal-folder", "anonymous"])
def test_people_without_access_get_404_for_page_images(in_demo: Any, as_user: SignIn, who: str) -> None:
    version = publish("Margins.pdf", two_page_pdf(), internal=who == "internal-folder")
    if who == "anonymous":
        response = Client(headers={"host": "demo.localhost"}).get(page_url(version, 1))
        assert response.status_code == 302  # to sign in, like every guarded page
        return
    email = "hana.admin@fabrikam.example" if who == "other-client" else "carla.admin@contoso.example"

    assert as_user(User.objects.get(email=email)).get(page_url(version, 1)).status_code == 404
    assert not default_storage.exists(f"{previews.folder_of(version.pk)}/1.png")  # nothing rendered for them


def test_an_image_previews_inline_as_a_bounded_png_on_the_detail_page(victor: Client) -> None:
    version = publish("Site photo.jpg", photo())

    page = victor.get(reverse("documents:detail", kwargs={"document_id": version.document_id}))
    picture = png_of(victor.get(page_url(version, 1)))

    html = page.content.decode()
    assert f'<img src="{page_url(version, 1)}"' in html
    assert "Page 1 of" not in html  # one picture, no pages to turn
    assert picture.size == (previews.LONG_SIDE, previews.LONG_SIDE // 2)
    assert victor.get(page_url(version, 2)).status_code == 404


def test_a_type_without_preview_says_so_and_offers_the_download(victor: Client) -> None:
    version = publish("notes.txt", b"Plain notes")

    page = victor.get(reverse("documents:detail", kwargs={"document_id": version.document_id}))

    assert page.context["viewer"] is None
    assert "No preview for this file" in page.content.decode()
    assert victor.get(page_url(version, 1)).status_code == 404


def test_a_page_is_rendered_once_and_removed_with_the_document(victor: Client, told: Any) -> None:
    version = publish("Board pack.pdf", two_page_pdf())
    victor.get(page_url(version, 1))
    victor.get(page_url(version, 2))
    stored = f"{previews.folder_of(version.pk)}/1.png"
    assert default_storage.exists(stored)
    rendered_at = default_storage.get_modified_time(stored)

    victor.get(page_url(version, 1))
    assert default_storage.get_modified_time(stored) == rendered_at
    with told():
        document_delete(actor=actor_for(User.objects.get(email="mia.member@northwind.example")),
                        document=version.document)  # fmt: skip

    assert default_storage.listdir(previews.folder_of(version.pk))[1] == []


def test_earlier_versions_can_be_previewed_from_the_versions_table(victor: Client) -> None:
    first = publish("Board pack.pdf", two_page_pdf())
    mia = actor_for(User.objects.get(email="mia.member@northwind.example"))
    documents_upload(
        actor=mia, folder=first.document.folder, uploads=[SimpleUploadedFile("Board pack.pdf", pdf("#eeeeee"))],
        document=first.document,
    )  # fmt: skip
    detail = reverse("documents:detail", kwargs={"document_id": first.document_id})

    latest = victor.get(detail)
    earlier = victor.get(detail, {"version": str(first.pk)})

    assert latest.context["viewer"].version.number == 2
    assert f'href="?version={first.pk}#preview"' in latest.content.decode()
    assert earlier.context["viewer"].version == first
    assert "not the latest" in earlier.content.decode()
