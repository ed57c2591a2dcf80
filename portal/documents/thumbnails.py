"""Thumbnails of document versions, made in Celery: images with Pillow, PDFs' first page with pdftoppm when it
is installed (poppler-utils; the image carries it). Other types show an icon instead."""

import io
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import IO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from portal.documents.models import DocumentVersion

SIZE = (320, 320)
IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
RENDER_TIMEOUT = 30
MAX_PDF_BYTES = 200 * 1024**2  # larger PDFs show an icon rather than tie a worker up
MAX_PIXELS = 40_000_000  # decoding more would cost hundreds of MB for a 320-pixel picture


def first_page_of_pdf(handle: IO[bytes]) -> Image.Image | None:
    renderer = shutil.which("pdftoppm")
    if renderer is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "document.pdf"
        with source.open("wb") as copy:
            shutil.copyfileobj(handle, copy, 1024 * 1024)
        command = [renderer, "-png", "-f", "1", "-l", "1", "-scale-to", str(SIZE[0]), str(source), f"{folder}/page"]
        try:
            result = subprocess.run(command, capture_output=True, timeout=RENDER_TIMEOUT, check=False)  # noqa: S603
        except subprocess.TimeoutExpired:
            return None
        pages = sorted(Path(folder).glob("page*.png"))
        if result.returncode != 0 or not pages:
            return None
        return Image.open(io.BytesIO(pages[0].read_bytes()))


def open_small_image(handle: IO[bytes]) -> Image.Image | None:
    """The decoded image, unless its header declares more pixels than a thumbnail is worth decoding."""
    try:
        picture = Image.open(handle)
        width, height = picture.size
        if width * height > MAX_PIXELS:
            return None
        picture.load()
    except (Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        return None
    return picture


def make_thumbnail(version: DocumentVersion) -> bool:
    """Store a PNG thumbnail next to the tenant's documents; False when the type has none."""
    if version.thumbnail or not version.file.name:
        return bool(version.thumbnail)
    with default_storage.open(version.file.name) as handle:
        if version.content_type in IMAGE_TYPES:
            picture = open_small_image(handle)
        elif version.content_type == "application/pdf" and version.size <= MAX_PDF_BYTES:
            picture = first_page_of_pdf(handle)
        else:
            picture = None
    if picture is None:
        return False
    picture.thumbnail(SIZE)
    output = io.BytesIO()
    picture.convert("RGB").save(output, "PNG")
    version.thumbnail.save(f"{version.pk}.png", ContentFile(output.getvalue()), save=False)
    version.save(update_fields=["thumbnail"])
    return True
