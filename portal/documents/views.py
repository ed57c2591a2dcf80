from django.conf import settings
from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import (
    FileResponse,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portal.access import limits
from portal.access.confirm import destructive
from portal.access.http import PortalRequest, client_capability, signed_in, staff_only
from portal.access.pages import cached_page
from portal.access.policy import NotFound
from portal.clients.models import ClientOrg
from portal.conversations.selectors import comments_for, may_comment
from portal.documents import previews, selectors
from portal.documents.forms import DocumentFilters, FolderForm, UploadForm, VersionForm
from portal.documents.models import Category
from portal.documents.services import (
    DocumentError,
    document_delete,
    document_download_record,
    documents_upload,
    folder_create,
)
from portal.documents.thumbnails import IMAGE_TYPES
from portal.files.inspection import INLINE

# The most documents the list shows; the filters narrow it down.
LIST_SIZE = 200
# The types with an in-page preview (previews.kind: PDFs also need to be small enough).
PREVIEWABLE = frozenset({*IMAGE_TYPES, "application/pdf"})


@client_capability("documents.view", archived_for_staff=True)
@cached_page
def document_list(request: PortalRequest, org: ClientOrg) -> HttpResponse:
    me = request.actor
    folders = selectors.folders_for(me, org)
    filters = DocumentFilters(request.GET, folders=folders)
    # A filter that is not valid (a stale folder, an overlong query) shows its error on its field; the valid ones
    # still apply (cleaned_data keeps only the fields that passed).
    filters.is_valid()
    wanted = filters.cleaned_data
    documents = selectors.documents_for(
        me, org, query=wanted.get("q", ""), category=wanted.get("category", ""), folder_id=wanted.get("folder"),
        order=wanted.get("order", ""),
    )  # fmt: skip
    context = {
        "org": org,
        "folders": folders,
        "documents": list(documents[:LIST_SIZE]),
        "filters": filters,
        "filtering": filters.filtering(),
        "list_size": LIST_SIZE,
        "previewable": PREVIEWABLE,
        "resumable_above": settings.RESUMABLE_ABOVE_BYTES,
        "chunk_size": settings.RESUMABLE_CHUNK_BYTES,
    }
    if me.is_staff:
        context["upload_form"] = UploadForm(folders=folders)
        context["folder_form"] = FolderForm()
    return render(request, "portal/documents/list.html", context)


@signed_in  # document_get_for decides
def document_detail(request: PortalRequest, document_id: int) -> HttpResponse:
    """The document, its versions, a preview of one of them (`?version=`, the latest by default; `?page=`) and
    its comments."""
    me = request.actor
    document = selectors.document_get_for(me, document_id)
    versions = list(document.versions.select_related("uploaded_by"))
    wanted = request.GET.get("version", "")
    shown = next((version for version in versions if str(version.pk) == wanted), versions[0] if versions else None)
    context = {
        "document": document,
        "org": document.folder.client_org,
        "versions": versions,
        "latest": versions[0] if versions else None,
        "shown": shown,
        "viewer": previews.viewer_for(shown, request.GET.get("page", "")) if shown else None,
        "previewable": PREVIEWABLE,
        "version_form": VersionForm() if me.is_staff else None,
        "thread": comments_for(me, document),
        "may_comment": may_comment(me, document),
        "target": document,
        "type_code": "document",
    }
    return render(request, "portal/documents/detail.html", context)


@signed_in  # version_get_for decides
def page_image(request: PortalRequest, version_id: int, page: int) -> HttpResponse | FileResponse:
    """Page `page` of a version's preview, as a PNG (portal.documents.previews). Guarded like the download: 404
    for whoever may not see the document, and for a page the version does not have.

    Viewing a preview is not recorded as a download: a page image is a picture of the document for reading on
    the page, at screen resolution, not the file. Taking the file (the download view, inline or not) is what
    `DownloadEvent` and the audit log record; recording every page turn as a download would bury those."""
    version = selectors.version_get_for(request.actor, version_id)
    if not previews.is_stored(version, page) and limits.count(request, limits.PREVIEW_RENDERS):
        busy = HttpResponse(limits.message(limits.PREVIEW_RENDERS), status=429, content_type="text/plain")
        busy["Retry-After"] = "60"
        return busy
    name = previews.page_image(version, page)
    if name is None:
        raise NotFound
    response = FileResponse(default_storage.open(name), content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@staff_only
@require_POST
@limits.per_person(limits.UPLOADS)
def version_new(request: PortalRequest, document_id: int) -> HttpResponse:
    """A new version of a document, through the checks of every upload (`documents_upload`: name, type sniffed
    from the content, size, malware scan, the plan's quota)."""
    me = request.actor
    document = selectors.document_get_for(me, document_id)
    if limits.limited(request):
        messages.error(request, limits.message(limits.UPLOADS))
        return redirect("documents:detail", document_id=document.pk)
    try:
        documents_upload(actor=me, folder=document.folder, uploads=request.FILES.getlist("file"), document=document)
    except DocumentError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The new version was published."))
    return redirect("documents:detail", document_id=document.pk)


@client_capability("documents.view")
@require_POST
def folder_new(request: PortalRequest, org: ClientOrg) -> HttpResponse:
    me = request.actor
    try:
        folder_create(
            actor=me, org=org, name=request.POST.get("name", ""), internal=request.POST.get("internal") == "on"
        )
    except DocumentError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The folder was created: you can publish into it now."))
    return redirect(reverse("documents:list", kwargs={"org_id": org.pk}) + "#upload")


@signed_in  # version_get_for decides
def thumbnail(request: PortalRequest, version_id: int) -> FileResponse:
    version = selectors.version_get_for(request.actor, version_id)
    if not version.thumbnail:
        raise NotFound
    response = FileResponse(default_storage.open(str(version.thumbnail.name)), content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@signed_in  # document_get_for and document_delete decide
@destructive(
    gettext_lazy("Delete this document?"),
    consequence=gettext_lazy(
        "Its versions, their files and its comments are deleted for everyone. This cannot be undone."
    ),
    label=gettext_lazy("Delete the document"),
)
@require_POST
def delete(request: PortalRequest, document_id: int) -> HttpResponse:
    me = request.actor
    document = selectors.document_get_for(me, document_id)
    org_id = document.folder.client_org_id
    try:
        document_delete(actor=me, document=document)
    except DocumentError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The document and its versions were deleted."))
    return redirect("documents:list", org_id=org_id)


@client_capability("documents.view")
@require_POST
@limits.per_person(limits.UPLOADS)
def upload(request: PortalRequest, org: ClientOrg) -> HttpResponse:
    me = request.actor
    if limits.limited(request):
        if "application/json" in request.headers.get("Accept", ""):
            return JsonResponse({"error": limits.message(limits.UPLOADS)}, status=429)
        messages.error(request, limits.message(limits.UPLOADS))
        return redirect("documents:list", org_id=org.pk)
    folder_id = request.POST.get("folder", "")
    folder = selectors.folders_for(me, org).filter(pk=folder_id).first() if folder_id.isdigit() else None
    if folder is None:
        raise NotFound
    category = request.POST.get("category", "")
    if category not in Category.values:
        category = Category.OTHER
    wants_json = "application/json" in request.headers.get("Accept", "")
    try:
        published = documents_upload(
            actor=me, folder=folder, uploads=request.FILES.getlist("files"),
            category=category,
        )  # fmt: skip
    except DocumentError as error:
        if wants_json:
            return JsonResponse({"error": error.message}, status=400)
        messages.error(request, error.message)
    else:
        if wants_json:
            return JsonResponse({"published": [document.pk for document in published]})
        messages.success(request, _("%(count)d documents published.") % {"count": len(published)})
    return redirect("documents:list", org_id=org.pk)


def presigns_urls(storage: object) -> bool:
    """S3 (django-storages) hands out short-lived signed URLs: the file then never passes through the app."""
    return bool(getattr(storage, "querystring_auth", False))


@signed_in  # version_get_for decides
def download(request: PortalRequest, version_id: int) -> HttpResponseBase:
    """Streams a version through a permission check; shown inline only for the types browsers render safely
    (and only when asked), downloaded otherwise. Every download is recorded."""
    me = request.actor
    version = selectors.version_get_for(me, version_id)
    stored = version.file.name or ""
    if not stored or not default_storage.exists(stored):
        raise NotFound
    inline = request.GET.get("inline") == "1" and version.content_type in INLINE
    document_download_record(actor=me, version=version, inline=inline)
    if presigns_urls(default_storage):
        disposition = content_disposition_header(not inline, version.original_name)
        parameters = {
            "ResponseContentDisposition": disposition,
            "ResponseContentType": version.content_type if inline else "application/octet-stream",
        }
        return HttpResponseRedirect(default_storage.url(stored, parameters=parameters))  # type: ignore[call-arg]
    response = FileResponse(
        default_storage.open(stored), as_attachment=not inline, filename=version.original_name,
        content_type=version.content_type if inline else "application/octet-stream",
    )  # fmt: skip
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
