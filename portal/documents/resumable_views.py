"""The tus endpoints. Thin: the checks are those of `documents_upload`, asked at creation and at completion. The
protocol itself (`start`, `proceed`) serves the API's tus endpoints too."""

import uuid
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.http import http_date
from django.views.decorators.http import require_http_methods

from portal.access import limits
from portal.access.http import PortalRequest, signed_in, staff_only
from portal.access.policy import Actor, NotFound, client_org_get_for
from portal.documents import resumable, selectors
from portal.documents.models import ResumableUpload
from portal.documents.services import (
    DocumentError,
    UploadRefused,
    upload_append,
    upload_discard,
    upload_finish,
    upload_reserve,
    uploads_of,
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


Refuse = Callable[[str, int, str | None], HttpResponse]


def address(upload: ResumableUpload) -> str:
    return reverse("documents:resumable", kwargs={"upload_id": upload.id})


def refuse(message: str, status: int, field: str | None = None) -> HttpResponse:
    """The browser's error body (the field is the API's business)."""
    return problem(message, status)


@staff_only
@require_http_methods(["POST", "OPTIONS"])
@limits.per_person(limits.UPLOADS)
def create(request: PortalRequest, org_id: int) -> HttpResponse:
    if request.method == "OPTIONS":
        extensions = {"Tus-Version": resumable.TUS_VERSION, "Tus-Extension": "creation,expiration"}
        return tus(HttpResponse(status=204), **extensions)
    if limits.limited(request):
        return problem(limits.message(limits.UPLOADS), 429)
    return start(request, request.actor, org_id, where=address)


@signed_in  # only the person's own uploads are found
@require_http_methods(["HEAD", "PATCH", "DELETE"])
def resume(request: PortalRequest, upload_id: uuid.UUID) -> HttpResponse:
    return proceed(request, request.actor, upload_id)


# The protocol, shared with the API's tus endpoints (portal.api.endpoints.documents), which pass their own actor
# (an API key), their upload's address and their error format.


def start(
    request: HttpRequest, me: Actor, org_id: int, *, where: Callable[[ResumableUpload], str], refuse: Refuse = refuse
) -> HttpResponse:
    """tus creation: `Upload-Length`, and `Upload-Metadata` with the filename, the folder's id and the category."""
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
        return refuse("Upload-Length is required.", 400, "Upload-Length")
    if length <= 0:
        return refuse(f"{safe_name(metadata.get('filename', ''))} is empty.", 400, "Upload-Length")
    try:
        upload = upload_reserve(
            actor=me, folder=folder, filename=metadata.get("filename", ""), length=length,
            category=metadata.get("category", ""),
        )  # fmt: skip
    except DocumentError as error:  # too large: for a file, for what the person holds, or for the quota
        return refuse(error.message, 413, error.field)
    return tus(HttpResponse(status=201), Location=where(upload), **{"Upload-Offset": "0"}, **expires(upload))


def proceed(request: HttpRequest, me: Actor, upload_id: uuid.UUID, *, refuse: Refuse = refuse) -> HttpResponse:
    """tus HEAD (where to go on from), PATCH (the next chunk; the last one publishes) and DELETE, on one of the
    actor's own live uploads (anyone else's, or an expired one, is not found)."""
    uploads = ResumableUpload.objects.live()  # an expired upload is gone, whether or not the sweep has run yet
    upload = uploads.select_related("folder__client_org").filter(uploads_of(me), pk=upload_id).first()
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
        return refuse("Content-Type must be application/offset+octet-stream.", 415, None)
    try:
        offset = int(request.headers.get("Upload-Offset", ""))
    except ValueError:
        return refuse("Upload-Offset is required.", 400, "Upload-Offset")
    try:
        upload = upload_append(actor=me, upload=upload, offset=offset, stream=request)
    except UploadRefused as refused:
        return refuse(refused.message, refused.status, None)
    if upload.offset < upload.length:
        return tus(HttpResponse(status=204), **{"Upload-Offset": str(upload.offset)}, **expires(upload))
    try:
        document = upload_finish(actor=me, upload=upload)
    except DocumentError as error:
        return refuse(error.message, 400, error.field)
    return tus(HttpResponse(status=204), **{"Upload-Offset": str(upload.offset), "Portico-Document": str(document.pk)})
