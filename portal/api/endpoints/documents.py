"""Folders and documents: a client's folders (list, create), its documents (list with `updated_since`, read,
download the current version), uploads (multipart, through the checks of every upload: size, type sniffed from the
content, scan, quota, rate), upsert by the provider's own id (`PUT /documents/by-external-id/<id>/`: a new version
of that document, or a new document) and resumable uploads of large files (the tus protocol of the HTML, under
the key). Through `portal.access` and the documents' selectors and services, as the HTML pages: the client's
contacts are told of what a key publishes as of what staff publish."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseBase, JsonResponse
from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from core.problems import CONTENT_TYPE, problem
from portal.access import limits
from portal.access.http import api_key_only
from portal.access.policy import NotFound, client_org_get_for
from portal.api.conditional import PreconditionFailed, check_if_match, etag
from portal.api.endpoints.base import Creates, Endpoint, ProblemSerializer, updated_since
from portal.api.throttling import key_limited
from portal.documents import resumable_views, selectors
from portal.documents.models import Category, Document, DocumentVersion, Folder, ResumableUpload
from portal.documents.services import (
    DocumentChanged,
    DocumentError,
    document_download_record,
    documents_upload,
    folder_create,
)
from portal.files.downloads import attachment

FOLDER_EXAMPLE = {"id": 7, "name": "Reports", "internal": False, "created_at": "2026-11-02T09:00:00Z"}
DOCUMENT_EXAMPLE = {
    "id": 31, "title": "Q3 report", "description": "", "folder": 7, "folder_name": "Reports", "category": "report",
    "version": 2, "original_name": "Q3 report.pdf", "size": 48213, "content_type": "application/pdf",
    "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "external_id": "ERP-DOC-1001",
    "created_at": "2026-11-02T09:00:00Z", "updated_at": "2026-12-01T10:30:00Z",
    "download_url": "https://northwind.portico.example/api/v1/documents/31/download/",
}  # fmt: skip
UPLOAD_EXAMPLE = {"file": "(the file)", "folder": 7, "title": "Q3 report", "category": "report"}
TOO_LARGE = {
    "type": "https://portico.example/problems/413", "title": "Payload too large", "status": 413,
    "detail": "big.zip is larger than the 2048 MB a file may be.",
    "errors": {"file": ["big.zip is larger than the 2048 MB a file may be."]},
}  # fmt: skip
ERRORS = {400: ProblemSerializer, 401: ProblemSerializer, 403: ProblemSerializer, 404: ProblemSerializer,
          409: ProblemSerializer, 412: ProblemSerializer, 422: ProblemSerializer, 429: ProblemSerializer}  # fmt: skip
IF_MATCH = OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, description="the ETag you read")
Answer = TypeVar("Answer", bound=HttpResponseBase)
NOT_FOUND_EXAMPLE = OpenApiExample(
    "Not found", response_only=True, status_codes=["404"],
    value={"type": "https://portico.example/problems/not_found", "title": "Not found", "status": 404,
           "detail": "Not found."},
)  # fmt: skip
TUS = OpenApiParameter("Tus-Resumable", str, OpenApiParameter.HEADER, description="1.0.0")


# --- what the endpoints share --------------------------------------------------------------------------------------


@contextmanager
def file_field() -> Iterator[None]:
    """The services name the files `files` (the HTML form's field); this API's field is `file`."""
    try:
        yield
    except DocumentError as error:
        if error.field != "files":
            raise
        raise DocumentError(error.message, field="file") from None


def current_version(document: Document) -> DocumentVersion | None:
    return next(iter(document.versions.all()), None)  # newest first (the model's order; prefetched by the lists)


def with_etag(response: Answer, document: Document) -> Answer:
    response["ETag"] = etag(document)
    return response


# --- folders -------------------------------------------------------------------------------------------------------


class FolderSerializer(serializers.ModelSerializer):
    class Meta:
        model = Folder
        fields = ["id", "name", "internal", "created_at"]
        read_only_fields = ["id", "created_at"]


@extend_schema(tags=["documents"])
class FolderList(Creates):
    """A client's folders (internal ones too: a key acts for the provider's staff). Not paged: a client has few."""

    scope_family = "documents"
    serializer_class = FolderSerializer
    pagination_class = None  # type: ignore[assignment]

    @extend_schema(
        responses={200: FolderSerializer(many=True), **ERRORS},
        examples=[OpenApiExample("A folder", value=[FOLDER_EXAMPLE], response_only=True)],
    )
    def get(self, request: Request, org_id: int) -> Response:
        org = client_org_get_for(self.actor, org_id, capability="documents.view", include_archived=True)
        return Response(FolderSerializer(selectors.folders_for(self.actor, org), many=True).data)

    @extend_schema(
        request=FolderSerializer,
        responses={201: FolderSerializer, **ERRORS},
        examples=[OpenApiExample("A new folder", value={"name": "Contracts", "internal": False})],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().post(request, *args, **kwargs)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        org = client_org_get_for(self.actor, kwargs["org_id"], capability="documents.view")
        incoming = FolderSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        folder = folder_create(actor=self.actor, org=org, name=data["name"], internal=data.get("internal", False))
        return Response(FolderSerializer(folder).data, status=201)


# --- documents -----------------------------------------------------------------------------------------------------


class DocumentSerializer(serializers.ModelSerializer):
    """A document with its current version (the newest)."""

    folder_name = serializers.CharField(source="folder.name", read_only=True)
    version = serializers.SerializerMethodField(help_text="The current version's number.")
    original_name = serializers.SerializerMethodField()
    size = serializers.SerializerMethodField(help_text="Bytes.")
    content_type = serializers.SerializerMethodField(help_text="Sniffed from the content, not the name.")
    sha256 = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField(help_text="The current version's file (GET, with the key).")

    class Meta:
        model = Document
        fields = [
            "id", "title", "description", "folder", "folder_name", "category", "version", "original_name", "size",
            "content_type", "sha256", "external_id", "created_at", "updated_at", "download_url",
        ]  # fmt: skip
        read_only_fields = fields

    def _current(self, document: Document) -> DocumentVersion | None:
        return current_version(document)

    def get_version(self, document: Document) -> int | None:
        current = self._current(document)
        return current.number if current else None

    def get_original_name(self, document: Document) -> str | None:
        current = self._current(document)
        return current.original_name if current else None

    def get_size(self, document: Document) -> int | None:
        current = self._current(document)
        return current.size if current else None

    def get_content_type(self, document: Document) -> str | None:
        current = self._current(document)
        return current.content_type if current else None

    def get_sha256(self, document: Document) -> str | None:
        current = self._current(document)
        return current.sha256 if current else None

    def get_download_url(self, document: Document) -> str:
        address = reverse("api:document_download", kwargs={"document_id": document.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(address) if request is not None else address


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The file; its type is sniffed from the content and must match its name.")
    folder = serializers.IntegerField(help_text="The id of one of the client's folders.")
    title = serializers.CharField(max_length=200, required=False, help_text="The file's name when omitted.")
    category = serializers.ChoiceField(choices=Category.choices, required=False, default=Category.OTHER)
    external_id = serializers.CharField(
        max_length=100, required=False, allow_null=True, help_text="Your system's id of the document."
    )


class UpsertSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The file: the document's new version, or its first.")
    folder = serializers.IntegerField(
        required=False, help_text="Where a new document goes (required then); an existing one stays where it is."
    )
    title = serializers.CharField(max_length=200, required=False, help_text="A new document's title.")
    category = serializers.ChoiceField(choices=Category.choices, required=False, default=Category.OTHER)


def _published(request: Request, document: Document, status: int) -> Response:
    response = Response(DocumentSerializer(document, context={"request": request}).data, status=status)
    response["Location"] = reverse("api:document", kwargs={"document_id": document.pk})
    return with_etag(response, document)


@extend_schema(tags=["documents"])
class DocumentList(Creates):
    """A client's documents (internal folders' too), the least recently changed first; uploads."""

    scope_family = "documents"
    serializer_class = DocumentSerializer
    parser_classes = [MultiPartParser]

    def get_queryset(self) -> QuerySet[Document]:
        org = client_org_get_for(self.actor, self.kwargs["org_id"], capability="documents.view", include_archived=True)
        return updated_since(self.request, selectors.documents_for(self.actor, org))

    @extend_schema(
        parameters=[OpenApiParameter("updated_since", str, description="ISO 8601: changed at or after")],
        responses={200: DocumentSerializer(many=True), **ERRORS},
        examples=[OpenApiExample("A document", value=DOCUMENT_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request, org_id: int) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(DocumentSerializer(page, many=True, context={"request": request}).data)

    @extend_schema(
        request={"multipart/form-data": UploadSerializer},
        responses={201: DocumentSerializer, **ERRORS},
        examples=[
            OpenApiExample("An upload", value=UPLOAD_EXAMPLE, request_only=True, media_type="multipart/form-data"),
            OpenApiExample("Published", value=DOCUMENT_EXAMPLE, response_only=True, status_codes=["201"]),
        ],
        description="Publish one file as a new document in one of the client's folders, through the checks of "
        "every upload (size, type sniffed from the content, malware scan, the plan's quota, the upload rate). "
        "The client's contacts who may see it are told, as when staff publish.",
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().post(request, *args, **kwargs)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        org = client_org_get_for(self.actor, kwargs["org_id"], capability="documents.view")
        incoming = UploadSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        folder = selectors.folders_for(self.actor, org).filter(pk=data["folder"]).first()
        if folder is None:
            raise NotFound
        key_limited(request, limits.UPLOADS)
        with file_field():
            [document] = documents_upload(
                actor=self.actor, folder=folder, uploads=[data["file"]], category=data["category"],
                title=data.get("title", ""), external_id=data.get("external_id") or None,
            )  # fmt: skip
        return _published(request, document, 201)


@extend_schema(tags=["documents"])
class DocumentDetail(Endpoint):
    """A document with its current version."""

    scope_family = "documents"
    serializer_class = DocumentSerializer

    @extend_schema(
        responses={200: DocumentSerializer, **ERRORS}, examples=[OpenApiExample("A document", value=DOCUMENT_EXAMPLE)]
    )
    def get(self, request: Request, document_id: int) -> HttpResponseBase:
        document = selectors.document_get_for(self.actor, document_id)
        return with_etag(Response(DocumentSerializer(document, context={"request": request}).data), document)


@extend_schema(tags=["documents"])
class DocumentDownload(Endpoint):
    """The current version's file, recorded as a download (by the key's name) like every download."""

    scope_family = "documents"

    @extend_schema(
        responses={(200, "*/*"): OpenApiTypes.BINARY, **ERRORS},
        examples=[NOT_FOUND_EXAMPLE],
        description="The file as stored, under its original name (an attachment, with the type sniffed at upload).",
    )
    def get(self, request: Request, document_id: int) -> HttpResponseBase:
        document = selectors.document_get_for(self.actor, document_id)
        version = document.versions.first()
        stored = version.file.name if version is not None else ""
        if version is None or not stored or not default_storage.exists(stored):
            raise NotFound
        document_download_record(actor=self.actor, version=version, inline=False)
        return attachment(stored, version.original_name, version.content_type)


@extend_schema(tags=["documents"])
class DocumentByExternalId(Endpoint):
    """Upsert: a new version of the document with this external id, or a new document with it; whatever the ERP
    validates appears in the right client's portal by itself."""

    scope_family = "documents"
    serializer_class = DocumentSerializer
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": UpsertSerializer},
        responses={200: DocumentSerializer, 201: DocumentSerializer, **ERRORS},
        parameters=[IF_MATCH],
        examples=[
            OpenApiExample(
                "Upsert", value={"file": "(the file)", "folder": 7}, request_only=True, media_type="multipart/form-data"
            ),
            OpenApiExample("A new version", value=DOCUMENT_EXAMPLE, response_only=True, status_codes=["200"]),
        ],
        description="With a document of this external id: its new version (200; `folder`, if given, must be its "
        "folder; its title and category stay). Without: a new document in `folder` (201).",
    )
    def put(self, request: Request, external_id: str) -> HttpResponseBase:
        incoming = UpsertSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        key_limited(request, limits.UPLOADS)
        for attempt in (1, 2):
            found = selectors.document_with_external_id_for(self.actor, external_id)
            try:
                return self.upsert(request, found, external_id, data)
            except DocumentError as error:
                # Another call created it between our look-up and our publication: publish as its new version.
                if error.field != "external_id" or found is not None or attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def upsert(
        self, request: Request, found: Document | None, external_id: str, data: dict[str, Any]
    ) -> HttpResponseBase:
        if found is not None:
            check_if_match(request, found)
            if data.get("folder") not in (None, found.folder_id):
                raise exceptions.ValidationError({"folder": ["This document is in another folder: it stays there."]})
            # The If-Match is checked again under the document's lock, in the service (two calls with one ETag).
            matched = found.updated_at if request.headers.get("If-Match") else None
            try:
                with file_field():
                    documents_upload(
                        actor=self.actor, folder=found.folder, uploads=[data["file"]], document=found,
                        unchanged_since=matched,
                    )  # fmt: skip
            except DocumentChanged:
                raise PreconditionFailed from None
            found.refresh_from_db()
            return _published(request, found, 200)
        if data.get("folder") is None:
            raise exceptions.ValidationError({"folder": ["Name the folder the new document goes to."]})
        folder = selectors.folder_get_for(self.actor, data["folder"])
        with file_field():
            [document] = documents_upload(
                actor=self.actor, folder=folder, uploads=[data["file"]], category=data["category"],
                title=data.get("title", ""), external_id=external_id,
            )  # fmt: skip
        return _published(request, document, 201)


# --- resumable uploads (tus 1.0: creation, HEAD, PATCH, DELETE) ----------------------------------------------------


def tus_problem(message: str, status: int, field: str | None = None) -> HttpResponse:
    """The protocol's refusals as problem+json, with the tus headers."""
    body = problem(status, message, errors={field or "_": [message]})
    return resumable_views.tus(JsonResponse(body, status=status, content_type=CONTENT_TYPE))


def upload_address(upload: ResumableUpload) -> str:
    return reverse("api:document_upload", kwargs={"upload_id": upload.id})


TUS_ERRORS = {**ERRORS, 413: ProblemSerializer, 415: ProblemSerializer}
TOO_LARGE_EXAMPLE = OpenApiExample("Too large", value=TOO_LARGE, response_only=True, status_codes=["413"])


@extend_schema(tags=["documents"])
class UploadStart(Endpoint):
    """tus creation, as the HTML's large uploads (`documents:resumable_create`): the same protocol and checks."""

    scope_family = "documents"

    @extend_schema(
        request=None,
        parameters=[
            OpenApiParameter("Upload-Length", int, OpenApiParameter.HEADER, required=True, description="bytes"),
            OpenApiParameter(
                "Upload-Metadata",
                str,
                OpenApiParameter.HEADER,
                required=True,
                description="tus metadata: `filename`, `folder` (its id) and `category`, each `key base64(value)`, "
                "comma-separated",
            ),
            TUS,
        ],
        responses={
            201: OpenApiResponse(description="Created: send the file to `Location` with PATCH (`Upload-Offset: 0`)."),
            **TUS_ERRORS,
        },
        examples=[TOO_LARGE_EXAMPLE],
        description="Start a resumable upload (tus 1.0) of a large file into one of the client's folders. Its size "
        "is checked now (the file size limit, the key's unfinished uploads, the plan's quota: 413), its content "
        "when the last chunk arrives, which publishes it.",
    )
    def post(self, request: Request, org_id: int) -> HttpResponseBase:
        key_limited(request, limits.UPLOADS)
        return resumable_views.start(request._request, self.actor, org_id, where=upload_address, refuse=tus_problem)


@extend_schema(tags=["documents"])
class UploadResume(Endpoint):
    """tus HEAD, PATCH and DELETE on one of the key's own uploads (`documents:resumable` for the HTML)."""

    scope_family = "documents"

    def proceed(self, request: Request, upload_id: uuid.UUID) -> HttpResponseBase:
        return resumable_views.proceed(request._request, self.actor, upload_id, refuse=tus_problem)

    def head(self, request: Request, upload_id: uuid.UUID) -> HttpResponseBase:
        """Where to go on from: `Upload-Offset` and `Upload-Length`."""
        return self.proceed(request, upload_id)

    @extend_schema(
        request={"application/offset+octet-stream": OpenApiTypes.BINARY},
        parameters=[
            OpenApiParameter("Upload-Offset", int, OpenApiParameter.HEADER, required=True, description="from HEAD"),
            TUS,
        ],
        responses={
            204: OpenApiResponse(
                description="Appended: `Upload-Offset` says how far; after the last chunk, `Portico-Document` is the "
                "published document's id."
            ),
            **TUS_ERRORS,
        },
        examples=[TOO_LARGE_EXAMPLE],
        description="The next chunk, at the offset the server recorded (HEAD tells it after an interruption). The "
        "last chunk publishes the document through the checks of every upload.",
    )
    def patch(self, request: Request, upload_id: uuid.UUID) -> HttpResponseBase:
        return self.proceed(request, upload_id)

    @extend_schema(
        responses={204: OpenApiResponse(description="Discarded."), **ERRORS},
        examples=[NOT_FOUND_EXAMPLE],
    )
    def delete(self, request: Request, upload_id: uuid.UUID) -> HttpResponseBase:
        return self.proceed(request, upload_id)


urlpatterns = [
    path("clients/<int:org_id>/folders/", api_key_only(FolderList.as_view()), name="folders"),
    path("clients/<int:org_id>/documents/", api_key_only(DocumentList.as_view()), name="documents"),
    path("clients/<int:org_id>/documents/uploads/", api_key_only(UploadStart.as_view()), name="document_uploads"),
    path("documents/<int:document_id>/", api_key_only(DocumentDetail.as_view()), name="document"),
    path("documents/<int:document_id>/download/", api_key_only(DocumentDownload.as_view()), name="document_download"),
    path(
        "documents/by-external-id/<str:external_id>/",
        api_key_only(DocumentByExternalId.as_view()),
        name="document_by_external_id",
    ),
    path("documents/uploads/<uuid:upload_id>/", api_key_only(UploadResume.as_view()), name="document_upload"),
]
