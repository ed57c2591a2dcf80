"""The tus endpoints. Thin: the checks are those of `documents_upload`, asked at creation and at completion."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.http import http_date
from django.views.decorators.http import require_http_methods

from portal.access import limits
from portal.access.http import PortalRequest, signed_in, staff_only
from portal.access.policy import NotFound, client_org_get_for
from portal.documents import resumable, selectors
from portal.documents.models import ResumableUpload
from portal.documents.services import (
    DocumentError,
    UploadRefused,
    upload_append,
    upload_discard,
    upload_finish,
    upload_reserve,
)
from portal.files.inspection import safe_name

TUS_HEADERS = {"Tus-Resumable": resumable.TUS_VERSION, "Cache-Control": "no-store"}


def tus(response: HttpResponse, **headers: str) -> HttpResponse:
    for key, value in {**TUS_HEADERS, **headers}.items():
        response[key] = value
    return response


def problem(message: str, status: int) -> HttpResponse:
    return tus(JsonResponse({"error": message}, status=status))


def expires(upload: ResumableUpload) -> dict[str, str]:
    """tus's expiration extension: when this upload expires unless it is continued."""
    at = upload.last_activity_at + timedelta(seconds=settings.RESUMABLE_UPLOAD_TTL_SECONDS)
    return {"Upload-Expires": http_date(at.timestamp())}


@staff_only
@require_http_methods(["POST", "OPTIONS"])
@limits.per_person(limits.UPLOADS)
def create(request: PortalRequest, org_id: int) -> HttpResponse:
    if request.method == "OPTIONS":
        extensions = {"Tus-Version": resumable.TUS_VERSION, "Tus-Extension": "creation,expiration"}
        return tus(HttpResponse(status=204), **extensions)
    me = request.actor
    if limits.limited(request):
        return problem(limits.message(limits.UPLOADS), 429)
    metadata = resumable.parse_metadata(request.headers.get("Upload-Metadata", ""))
    org = client_org_get_for(me, org_id, capability="documents.view")
    folder = (
        selectors.folders_for(me, org).filter(pk=metadata.get("folder") or 0).first()
        if metadata.get("folder", "").isdigit()
        else None
    )
    if folder is None:
        raise NotFound
    try:
        length = int(request.headers.get("Upload-Length", ""))
    except ValueError:
        return problem("Upload-Length is required.", 400)
    if length <= 0:
        return problem(f"{safe_name(metadata.get('filename', ''))} is empty.", 400)
    try:
        upload = upload_reserve(
            actor=me, folder=folder, filename=metadata.get("filename", ""), length=length,
            category=metadata.get("category", ""),
        )  # fmt: skip
    except DocumentError as error:  # too large: for a file, for what the person holds, or for the quota
        return problem(error.message, 413)
    location = reverse("documents:resumable", kwargs={"upload_id": upload.id})
    return tus(HttpResponse(status=201), Location=location, **{"Upload-Offset": "0"}, **expires(upload))


@signed_in  # only the person's own uploads are found
@require_http_methods(["HEAD", "PATCH", "DELETE"])
def resume(request: PortalRequest, upload_id: uuid.UUID) -> HttpResponse:
    me = request.actor
    uploads = ResumableUpload.objects.live()  # an expired upload is gone, whether or not the sweep has run yet
    upload = uploads.select_related("folder__client_org").filter(pk=upload_id, user=me.user).first()
    if upload is None or upload.document_id is not None:
        raise NotFound
    if request.method == "HEAD":
        return tus(
            HttpResponse(status=200),
            **{"Upload-Offset": str(upload.offset), "Upload-Length": str(upload.length)}, **expires(upload),
        )  # fmt: skip
    if request.method == "DELETE":
        upload_discard(actor=me, upload=upload)
        return tus(HttpResponse(status=204))
    if request.content_type != "application/offset+octet-stream":
        return problem("Content-Type must be application/offset+octet-stream.", 415)
    try:
        offset = int(request.headers.get("Upload-Offset", ""))
    except ValueError:
        return problem("Upload-Offset is required.", 400)
    try:
        upload = upload_append(actor=me, upload=upload, offset=offset, stream=request)
    except UploadRefused as refused:
        return problem(refused.message, refused.status)
    if upload.offset < upload.length:
        return tus(HttpResponse(status=204), **{"Upload-Offset": str(upload.offset)}, **expires(upload))
    try:
        document = upload_finish(actor=me, upload=upload)
    except DocumentError as error:
        return problem(error.message, 400)
    return tus(HttpResponse(status=204), **{"Upload-Offset": str(upload.offset), "Portico-Document": str(document.pk)})
