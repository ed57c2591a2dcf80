"""Virus scanning through clamd's INSTREAM protocol, when CLAMD_ADDRESS is set.

clamd answers "OK" for a stream larger than its StreamMaxLength without having scanned it all, so a file larger
than CLAMD_STREAM_MAX_BYTES (set it to clamd's own limit) is never sent: it is reported `too_large`, and the
portal's policy decides whether such a file is refused or kept, flagged as not scanned. Inside archives (zip,
docx, xlsx, pptx) clamd's own limits apply the same way: run it with `AlertExceedsMax yes`, so that a member
it could not scan is reported (`Heuristics.Limits.Exceeded…`), which counts as `too_large` here, not as clean.
"""

import socket
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.utils.translation import gettext as _

from portal.files.inspection import FileRejected

CHUNK = 64 * 1024


class ScanStatus:
    CLEAN = "clean"
    INFECTED = "infected"
    TOO_LARGE = "too_large"
    NOT_CONFIGURED = "not_configured"


@dataclass(frozen=True)
class ScanResult:
    status: str
    signature: str = ""


class ScannerUnavailable(Exception):
    """clamd did not answer or answered something unexpected: the upload is refused, never let through."""


def scan(stream: IO[bytes], size: int) -> ScanResult:
    address = settings.CLAMD_ADDRESS
    if not address:
        return ScanResult(ScanStatus.NOT_CONFIGURED)
    if size > settings.CLAMD_STREAM_MAX_BYTES:
        return ScanResult(ScanStatus.TOO_LARGE)
    host, _, port = address.rpartition(":")
    stream.seek(0)
    try:
        with socket.create_connection((host, int(port)), timeout=settings.CLAMD_TIMEOUT) as clamd:
            clamd.sendall(b"zINSTREAM\0")
            while chunk := stream.read(CHUNK):
                clamd.sendall(struct.pack("!L", len(chunk)) + chunk)
            clamd.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0"):
                data = clamd.recv(4096)
                if not data:
                    break
                reply += data
    except OSError as error:
        raise ScannerUnavailable(f"the virus scanner did not answer ({error})") from None
    finally:
        stream.seek(0)
    answer = reply.rstrip(b"\0").decode(errors="replace").strip()
    if answer.endswith("OK"):
        return ScanResult(ScanStatus.CLEAN)
    if answer.endswith("FOUND"):
        signature = answer.removeprefix("stream:").removesuffix("FOUND").strip()
        if signature.startswith("Heuristics.Limits.Exceeded"):  # AlertExceedsMax: a part was not scanned
            return ScanResult(ScanStatus.TOO_LARGE)
        return ScanResult(ScanStatus.INFECTED, signature)
    if "size limit exceeded" in answer:
        return ScanResult(ScanStatus.TOO_LARGE)
    raise ScannerUnavailable(f"unexpected answer from the virus scanner: {answer!r}")


def screen(
    upload: IO[bytes], *, name: str, sha256: str, size: int, quarantine: Callable[[str, ScanResult], None]
) -> str:
    """Scan a file as the portal's policy says, and return the scan status to record with it.

    An infected file is stored under `<schema>/quarantine/<sha256>` and `quarantine(stored_name, result)` records
    it (each app in its own table), then the file is refused; one too large to scan is refused or accepted
    flagged, as the portal chose; a scanner that does not answer refuses the file. Call it before the
    transaction that stores the file, so the quarantine record survives the refusal. Raises `FileRejected`."""
    try:
        outcome = scan(upload, size)
    except ScannerUnavailable as error:
        raise FileRejected(_("%(name)s could not be checked for viruses; try again later.") % {"name": name}) from error
    if outcome.status == ScanStatus.INFECTED:
        stored = default_storage.save(f"{connection.schema_name}/quarantine/{sha256}", upload)  # type: ignore[attr-defined]
        quarantine(stored, outcome)
        raise FileRejected(
            _("%(name)s contains malware (%(signature)s) and was not accepted.")
            % {"name": name, "signature": outcome.signature}
        )
    if outcome.status == ScanStatus.TOO_LARGE and connection.tenant.unscanned_files == "reject":  # type: ignore[attr-defined]
        raise FileRejected(
            _("%(name)s is too large for the virus scanner, and this portal refuses files it cannot scan.")
            % {"name": name}
        )
    return outcome.status
