"""Resumable uploads for large files: the core of the tus 1.0 protocol (creation, HEAD, PATCH), so a dropped
connection resumes where it stopped instead of starting over.

The browser creates an upload (its length, name, folder), then sends the file in chunks with `Upload-Offset`;
after an interruption it asks for the offset with HEAD and goes on from there. The parts collect in a file under
RESUMABLE_UPLOAD_DIR (a volume the web processes share), one folder per schema; the last chunk publishes the
document through the same checks as any upload (`documents_upload`), then the part file is removed. An upload
nobody continues expires (RESUMABLE_UPLOAD_TTL_SECONDS): the hourly sweep deletes its row and its part in every
tenant (`services.uploads_expire`), and the parts of portals that no longer exist.
"""

import base64
import contextlib
import os
import re
import shutil
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import connection

CHUNK = 1024 * 1024
TUS_VERSION = "1.0.0"
SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]*")


def parse_metadata(header: str) -> dict[str, str]:
    """`Upload-Metadata: key base64,key base64` → {key: value}."""
    values: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in header.split(","))):
        key, _, encoded = item.partition(" ")
        try:
            values[key] = base64.b64decode(encoded).decode() if encoded else ""
        except (ValueError, UnicodeDecodeError):
            continue
    return values


def parts_folder() -> Path:
    """Where this tenant's parts collect: one folder per schema."""
    return Path(settings.RESUMABLE_UPLOAD_DIR) / connection.schema_name  # type: ignore[attr-defined]


def part_path(upload_id: str) -> Path:
    folder = parts_folder()
    folder.mkdir(parents=True, exist_ok=True)
    return folder / upload_id


def append(upload_id: str, stream: object, expected_offset: int, limit: int) -> int:
    """Append the request body (read in chunks) to the part file at `expected_offset`, the offset the server
    recorded: bytes past it (a request that died midway, or overflowed) are cut off first, so the file and the
    record always agree. Never beyond `limit` bytes. Returns the new offset."""
    path = part_path(upload_id)
    path.touch(exist_ok=True)
    with path.open("r+b") as part:
        part.seek(0, os.SEEK_END)
        if part.tell() < expected_offset:
            raise ValueError("the part is shorter than the recorded offset")
        part.truncate(expected_offset)
        part.seek(expected_offset)
        try:
            while chunk := stream.read(CHUNK):  # type: ignore[attr-defined]
                if part.tell() + len(chunk) > limit:
                    raise OverflowError("more data than the declared length")
                part.write(chunk)
        except BaseException:
            part.truncate(expected_offset)
            raise
        return part.tell()


def as_uploaded_file(upload_id: str, name: str, size: int) -> UploadedFile:
    return UploadedFile(file=part_path(upload_id).open("rb"), name=name, size=size)


def discard(upload_id: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.remove(part_path(upload_id))


def parts() -> list[Path]:
    """This tenant's part files (named after their upload's id)."""
    folder = parts_folder()
    return [part for part in folder.iterdir() if part.is_file()] if folder.is_dir() else []


def remove(paths: Iterable[Path]) -> int:
    removed = 0
    for path in paths:
        path.unlink(missing_ok=True)
        removed += 1
    return removed


def remove_schemas_except(schemas: set[str]) -> int:
    """Remove the part folders of schemas that are not in `schemas` (portals purged since): no tenant task will
    ever look at them again. Returns how many part files went."""
    root = Path(settings.RESUMABLE_UPLOAD_DIR)
    removed = 0
    for folder in root.iterdir() if root.is_dir() else []:
        # Only folders named like a schema: a volume's own entries (lost+found) are not ours to remove.
        if folder.is_dir() and SCHEMA_NAME.fullmatch(folder.name) and folder.name not in schemas:
            removed += sum(1 for part in folder.rglob("*") if part.is_file())
            shutil.rmtree(folder, ignore_errors=True)
    return removed
