"""What an uploaded file is, judged from its content: the allow-list, safe names, streaming hash. Used for every
file a person stores (documents, comment attachments)."""

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import IO

import filetype

CHUNK = 1024 * 1024

# Sniffed type → the extensions that may carry it.
ALLOWED: dict[str, set[str]] = {
    "application/pdf": {"pdf"},
    "image/png": {"png"},
    "image/jpeg": {"jpg", "jpeg"},
    "image/gif": {"gif"},
    "image/webp": {"webp"},
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {"docx"},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"xlsx"},
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": {"pptx"},
    "application/zip": {"zip"},
    "text/plain": {"txt", "csv", "md"},
}
INLINE = {"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"}


class FileRejected(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Inspection:
    content_type: str
    size: int
    sha256: str


def safe_name(name: str) -> str:
    """The last path component, normalised, without control characters or anything a path could use."""
    base = re.split(r"[\\\\/]", name or "")[-1]
    base = unicodedata.normalize("NFKC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = re.sub(r"[^\w.\- ()]+", "_", base).strip(" ._") or "file"
    stem, dot, extension = base.rpartition(".")
    if not dot or len(extension) > 10:
        stem, extension = base, ""
    return f"{shorten(stem, 100) or 'file'}{'.' + extension if extension else ''}"


def shorten(text: str, max_bytes: int) -> str:
    """At most `max_bytes` of UTF-8 (file systems count bytes), cut on a character boundary."""
    return text.encode()[:max_bytes].decode(errors="ignore").rstrip(" ._")


def sniff(head: bytes, whole: IO[bytes]) -> str | None:
    kind = filetype.guess(head)
    if kind is not None:
        return str(kind.mime)
    if b"\x00" in head:
        return None
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 4:  # not just a character cut at the end of the sample
            return None
    return "text/plain"


def inspect(upload: IO[bytes], name: str) -> Inspection:
    """Read the file once, in chunks (never whole in memory): size, SHA-256 and sniffed type, checked against
    the allow-list and the name's extension."""
    upload.seek(0)
    head = upload.read(8192)
    digest = hashlib.sha256(head)
    size = len(head)
    while chunk := upload.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    if size == 0:
        raise FileRejected(f"{name} is empty.")
    content_type = sniff(head, upload)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if content_type not in ALLOWED:
        raise FileRejected(f"{name}: this kind of file is not accepted.")
    if extension not in ALLOWED[content_type]:
        raise FileRejected(f"{name}: the name says .{extension or '?'} but the content is not that kind of file.")
    return Inspection(content_type=content_type, size=size, sha256=digest.hexdigest())
