"""In-page previews of document versions: each page a PNG rendered on the server, the way thumbnails are (PDFs
with poppler's pdftoppm, images with Pillow), so the viewer is a plain `<img>` from the portal's own origin.

Why pictures rather than the file in a frame or pdf.js: the download view answers with `X-Frame-Options: DENY`
and a sandbox CSP, and with S3 it redirects to a presigned URL on the bucket's host, which the portal's
`img-src 'self'` (and any frame) refuses. A page image is read through `default_storage` and served by the
portal, so it works the same on local disk and on S3, and what the browser renders is a flat picture, never the
uploaded bytes. Images are re-encoded too: the preview carries no metadata (a photo's location) and is bounded
in size whatever the upload declares.

Pages are rendered on first view and kept in storage next to the thumbnails (`<schema>/previews/<version>/`),
so each is rendered once; `remove` deletes them with the document. The page count of a PDF is asked of
`pdfinfo` once and cached (keys carry the schema). Without poppler, PDFs simply have no preview.
"""

import io
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from PIL import ImageOps

from portal.documents.models import DocumentVersion
from portal.documents.thumbnails import IMAGE_TYPES, RENDER_TIMEOUT, open_small_image

# The longest side of a page image: readable on a wide screen, about 150 dpi for an A4 page.
LONG_SIDE = 1600
MAX_PREVIEW_PDF_BYTES = 50 * 1024**2
PAGE_COUNT_TTL = 60 * 60 * 24 * 30  # versions never change; the count only leaves the cache to save room
PAGES = re.compile(rb"^Pages:\s+(\d+)\s*$", re.MULTILINE)


def kind(version: DocumentVersion) -> str:
    """The preview's kind: `image`, `pdf`, or empty for none (other types, and PDFs too large to render while
    someone waits: each page copies the file out of storage)."""
    if version.content_type in IMAGE_TYPES:
        return "image"
    if version.content_type == "application/pdf" and version.size <= MAX_PREVIEW_PDF_BYTES:
        return "pdf"
    return ""


def folder_of(version_id: int) -> str:
    return f"{connection.schema_name}/previews/{version_id}"  # type: ignore[attr-defined]


def _local_copy(version: DocumentVersion, folder: str) -> Path:
    """The version's file copied from storage (local or S3) into a temporary folder: poppler reads paths."""
    source = Path(folder) / "document.pdf"
    with default_storage.open(str(version.file.name)) as handle, source.open("wb") as copy:
        shutil.copyfileobj(handle, copy, 1024 * 1024)
    return source


def _run(command: list[str]) -> subprocess.CompletedProcess[bytes] | None:
    try:
        return subprocess.run(command, capture_output=True, timeout=RENDER_TIMEOUT, check=False)  # noqa: S603
    except subprocess.TimeoutExpired:
        return None


def _count_pdf_pages(version: DocumentVersion) -> int:
    reader = shutil.which("pdfinfo")
    if reader is None:
        return 0
    with tempfile.TemporaryDirectory() as folder:
        result = _run([reader, str(_local_copy(version, folder))])
    if result is None or result.returncode != 0:
        return 0
    found = PAGES.search(result.stdout)
    return int(found.group(1)) if found else 0


def page_count(version: DocumentVersion) -> int:
    """How many pages the preview has: 1 for an image, the PDF's pages, 0 when there is no preview."""
    what = kind(version)
    if what == "image":
        return 1
    if what != "pdf" or not version.file.name or shutil.which("pdftoppm") is None:
        return 0
    key = f"documents:pages:{version.pk}:{version.sha256[:16]}"
    count = cache.get(key)
    if count is None:
        count = _count_pdf_pages(version)
        cache.set(key, count, PAGE_COUNT_TTL)
    return int(count)


def _render_pdf_page(version: DocumentVersion, number: int) -> bytes | None:
    renderer = shutil.which("pdftoppm")
    if renderer is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        source = _local_copy(version, folder)
        target = Path(folder) / "page"
        page = str(number)
        result = _run(
            [renderer, "-png", "-f", page, "-l", page, "-singlefile", "-scale-to", str(LONG_SIDE), str(source),
             str(target)]
        )  # fmt: skip
        output = target.with_suffix(".png")
        if result is None or result.returncode != 0 or not output.exists():
            return None
        return output.read_bytes()


def _render_image(handle: IO[bytes]) -> bytes | None:
    picture = open_small_image(handle)
    if picture is None:
        return None
    picture = ImageOps.exif_transpose(picture)  # photos taken sideways show the right way up
    picture.thumbnail((LONG_SIDE, LONG_SIDE))
    has_alpha = "A" in picture.getbands() or "transparency" in picture.info
    output = io.BytesIO()
    picture.convert("RGBA" if has_alpha else "RGB").save(output, "PNG", optimize=True)
    return output.getvalue()


def _page_name(version_id: int, number: int) -> str:
    return f"{folder_of(version_id)}/{number}.png"


def is_stored(version: DocumentVersion, number: int) -> bool:
    """Whether page `number` is already rendered (serving it costs no rendering)."""
    return bool(default_storage.exists(_page_name(version.pk, number)))


def page_image(version: DocumentVersion, number: int) -> str | None:
    """The storage name of page `number` (from 1) of the version's preview, rendered and stored on first use;
    None when the version has no such page. Call after checking that the person may see the version."""
    if not 1 <= number <= page_count(version):
        return None
    name = _page_name(version.pk, number)
    if default_storage.exists(name):
        return name
    if kind(version) == "image":
        with default_storage.open(str(version.file.name)) as handle:
            rendered = _render_image(handle)
    else:
        rendered = _render_pdf_page(version, number)
    if rendered is None:
        return None
    if default_storage.exists(name):  # rendered meanwhile by another request: keep one copy
        return name
    return default_storage.save(name, ContentFile(rendered))


def remove(version_ids: list[int]) -> None:
    """Delete the stored page images of these versions (after their document is deleted)."""
    for version_id in version_ids:
        folder = folder_of(version_id)
        try:
            _folders, files = default_storage.listdir(folder)
        except FileNotFoundError:
            continue
        for file in files:
            default_storage.delete(f"{folder}/{file}")


@dataclass(frozen=True)
class Viewer:
    """What the detail page's viewer shows: one page of one version, and where the others are."""

    version: DocumentVersion
    kind: str
    page: int
    pages: int

    @property
    def previous(self) -> int | None:
        return self.page - 1 if self.page > 1 else None

    @property
    def next(self) -> int | None:
        return self.page + 1 if self.page < self.pages else None


def viewer_for(version: DocumentVersion, page: str) -> Viewer | None:
    """The viewer on page `page` (as the query string gave it; a page out of range shows the nearest one), or
    None when the version has no preview."""
    pages = page_count(version)
    if not pages:
        return None
    number = int(page) if page.isascii() and page.isdigit() and len(page) <= 6 else 1
    return Viewer(version, kind(version), min(max(number, 1), pages), pages)
