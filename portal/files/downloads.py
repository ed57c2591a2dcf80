"""Serving a stored file as a download: always an attachment under its original name, never sniffed by the
browser into something it could run."""

from django.core.files.storage import default_storage
from django.http import FileResponse
from django.utils.http import content_disposition_header


def attachment(stored_name: str, filename: str, content_type: str) -> FileResponse:
    response = FileResponse(default_storage.open(stored_name), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response
