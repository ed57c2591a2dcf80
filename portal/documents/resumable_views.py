"""The tus endpoints. Thin: the checks are those of `documents_upload`, asked at creation and at completion."""

import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from portal.access.policy import NotFound, client_org_get_for
from portal.clients.views import actor
from portal.documents import resumable, selectors
from portal.documents.files import safe_name
from portal.documents.models import Category, ResumableUpload
from portal.documents.services import DocumentError, documents_upload, storage_quota, storage_used

TUS_HEADERS = {"Tus-Resumable": resumable.TUS_VERSION, "Cache-Control": "no-store"}


def tus(response: HttpResponse, **headers: str) -> HttpResponse:
    for key, value in {**TUS_HEADERS, **headers}.items():
        response[key] = value
    return response


def problem(message: str, status: int) -> HttpResponse:
    return tus(JsonResponse({"error": message}, status=status))


@login_required
@require_http_methods(["POST", "OPTIONS"])
def create(request: HttpRequest, org_id: int) -> HttpResponse:
    if request.method == "OPTIONS":
        return tus(HttpResponse(status=204), **{"Tus-Version": resumable.TUS_VERSION, "Tus-Extension": "creation"})
    me = actor(request)
    if not me.is_staff:
        raise NotFound
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
    name = safe_name(metadata.get("filename", ""))
    if length <= 0:
        return problem(f"{name} is empty.", 400)
    if length > settings.DOCUMENT_MAX_BYTES:
        return problem(f"{name} is larger than the {settings.DOCUMENT_MAX_BYTES // 1024**2} MB a file may be.", 413)
    if storage_used() + length > storage_quota():
        return problem("This upload would go over your plan's storage quota.", 413)
    category = metadata.get("category", "")
    if category not in Category.values:
        category = Category.OTHER
    upload = ResumableUpload.objects.create(
        id=uuid.uuid4(), user=me.user, folder=folder, category=category, filename=name, length=length
    )
    location = reverse("documents:resumable", kwargs={"upload_id": upload.id})
    return tus(HttpResponse(status=201), Location=location, **{"Upload-Offset": "0"})


@login_required
@require_http_methods(["HEAD", "PATCH", "DELETE"])
def resume(request: HttpRequest, upload_id: uuid.UUID) -> HttpResponse:
    me = actor(request)
    upload = ResumableUpload.objects.select_related("folder__client_org").filter(pk=upload_id, user=me.user).first()
    if upload is None or upload.document_id is not None:
        raise NotFound
    if request.method == "HEAD":
        return tus(
            HttpResponse(status=200), **{"Upload-Offset": str(upload.offset), "Upload-Length": str(upload.length)}
        )
    if request.method == "DELETE":
        resumable.discard(str(upload.id))
        upload.delete()
        return tus(HttpResponse(status=204))
    if request.content_type != "application/offset+octet-stream":
        return problem("Content-Type must be application/offset+octet-stream.", 415)
    try:
        offset = int(request.headers.get("Upload-Offset", ""))
    except ValueError:
        return problem("Upload-Offset is required.", 400)
    with transaction.atomic():
        upload = ResumableUpload.objects.select_for_update().get(pk=upload.pk)
        if upload.offset == upload.length:  # complete: being published, or published, by the request that finished it
            return problem("This upload is complete.", 409)
        if offset != upload.offset:
            return problem(f"Upload-Offset is {upload.offset}.", 409)
        try:
            upload.offset = resumable.append(str(upload.id), request, offset, upload.length)
        except ValueError:
            return problem("The stored part does not match this offset; ask for it again with HEAD.", 409)
        except OverflowError:
            return problem("More data than Upload-Length.", 413)
        upload.save(update_fields=["offset"])
    if upload.offset < upload.length:
        return tus(HttpResponse(status=204), **{"Upload-Offset": str(upload.offset)})
    return finish(me, upload)


def finish(me: object, upload: ResumableUpload) -> HttpResponse:
    """The last chunk arrived: publish through the usual checks, then drop the part file either way."""
    upload_id = str(upload.id)  # deleting the row below clears its primary key
    file = resumable.as_uploaded_file(upload_id, upload.filename, upload.length)
    try:
        [document] = documents_upload(actor=me, folder=upload.folder, uploads=[file], category=upload.category)  # type: ignore[arg-type]
    except DocumentError as error:
        upload.delete()
        return problem(error.message, 400)
    finally:
        file.close()
        resumable.discard(upload_id)
    upload.document = document
    upload.save(update_fields=["document"])
    return tus(HttpResponse(status=204), **{"Upload-Offset": str(upload.offset), "Portico-Document": str(document.pk)})
