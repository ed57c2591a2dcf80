"""Writing documents: folders, uploads (new documents or new versions). Checked against `portal.access` and the
plan's limits; the stored name is derived from the content's hash, under the tenant's prefix."""

import datetime
import uuid
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max, Q, Sum
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from core.audit import audited, not_audited
from core.errors import DomainError
from portal.access.policy import Actor, NotFound, may
from portal.activity.retention import call_purge_function
from portal.activity.services import record
from portal.clients.models import ClientOrg
from portal.conversations.services import comments_delete_for
from portal.documents import previews, resumable
from portal.documents.models import (
    Category,
    Document,
    DocumentVersion,
    DownloadEvent,
    Folder,
    QuarantinedFile,
    ResumableUpload,
)
from portal.documents.tasks import thumbnail_make_task
from portal.files.inspection import FileRejected, Inspection, inspect, safe_name
from portal.files.quota import QuotaExceeded, ensure_room, quota_lock
from portal.files.scanning import ScanResult, screen

EXTERNAL_ID_MAX = 100  # Document.external_id's length


class DocumentError(DomainError):
    """A document or upload refused."""


class DocumentChanged(DocumentError):
    """A new version was asked for a document as it was at a moment it has changed since (the API's If-Match)."""


class UploadRefused(DocumentError):
    """A resumable-upload request refused, with the HTTP status the tus protocol gives it."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message, field="files")
        self.status = status


def _refuse_if_too_large(name: str, size: int) -> None:
    """The one size rule of every upload path (files sent at once, and resumable uploads when they start)."""
    if size > settings.DOCUMENT_MAX_BYTES:
        raise DocumentError(
            _("%(name)s is larger than the %(limit)d MB a file may be.")
            % {"name": name, "limit": settings.DOCUMENT_MAX_BYTES // 1024**2},
            field="files",
        )


@not_audited("schedules a thumbnail of a version whose publication is recorded")
def thumbnail_later(version_id: int) -> Callable[[], None]:
    def make() -> None:
        thumbnail_make_task.delay(version_id)

    return make


@not_audited("refused files are kept in quarantine, their own record (with who uploaded them)")
def scan_or_refuse(actor: Actor, folder: Folder, upload: UploadedFile, name: str, result: Inspection) -> str:
    """Scan the file as the portal's policy says (portal.files.scanning.screen); an infected file is kept in
    `QuarantinedFile` and refused. Runs before the publishing transaction, so the quarantine record survives the
    refusal."""

    def quarantine(stored: str, outcome: ScanResult) -> None:
        QuarantinedFile.objects.create(
            file=stored, original_name=name, sha256=result.sha256, signature=outcome.signature[:200],
            uploaded_by=actor.user, client_org=folder.client_org,
        )  # fmt: skip

    try:
        return screen(upload, name=name, sha256=result.sha256, size=result.size, quarantine=quarantine)
    except FileRejected as error:
        raise DocumentError(error.message, field="files") from None


@transaction.atomic
@audited("document.deleted")
def document_delete(*, actor: Actor, document: Document) -> None:
    """Delete a document, its versions, its comments and their attachments, and their files, thumbnails and page
    images (after commit: a rollback keeps the files)."""
    if not actor.manages_portal and not (actor.is_staff and may(actor, "documents.view", document.folder.client_org)):
        raise NotFound
    names = [name for pair in document.versions.values_list("file", "thumbnail") for name in pair if name]
    version_ids = list(document.versions.values_list("pk", flat=True))
    record(actor=actor, verb="document.deleted", target=document)
    comments_delete_for(target=document)  # they point to it by type and id: nothing would cascade
    document.delete()

    def delete_files() -> None:
        for name in names:
            default_storage.delete(name)
        previews.remove(version_ids)

    transaction.on_commit(delete_files)


@transaction.atomic
@audited("document.downloaded")
def document_download_record(*, actor: Actor, version: DocumentVersion, inline: bool) -> DownloadEvent:
    """Record a download the access layer allowed: a row that outlives the document and the person (it keeps
    their names), and an audit-only event for the audit log."""
    document = version.document
    user = actor.user
    download = DownloadEvent.objects.create(
        version=version, user=user, document_id=document.pk, document_title=document.title[:200],
        version_number=version.number, person_id=user.pk if user else None,
        user_label=user.email if user else actor.label if actor.api_key is not None else "",
        inline=inline,
    )  # fmt: skip
    record(actor=actor, verb="document.downloaded", target=document, data={"version": version.number, "inline": inline})
    return download


@not_audited("the retention purge: the only deletion the history allows, by rule, not by a person")
def downloads_purge() -> int:
    """Download records older than the retention floor go, through the owner's `download_purge()` (migration
    0007): the daily retention purge of the activity history runs this too (registered in `apps`)."""
    return call_purge_function("download_purge")


@transaction.atomic
@not_audited("an empty folder: each document published in it is recorded")
def folder_create(*, actor: Actor, org: ClientOrg, name: str, internal: bool) -> Folder:
    if not actor.is_staff or not may(actor, "documents.view", org):
        raise NotFound
    name = name.strip()
    if not name:
        raise DocumentError(_("Give the folder a name."), field="name")
    if len(name) > Folder._meta.get_field("name").max_length:  # type: ignore[operator]
        raise DocumentError(_("A folder's name is at most 120 characters."), field="name")
    if Folder.objects.filter(client_org=org, name__iexact=name).exists():
        raise DocumentError(_("This client has a folder with that name already."), field="name")
    folder = Folder(client_org=org, name=name, internal=internal)
    folder.full_clean()
    folder.save()
    return folder


@audited("document.published", "document.version_added")
def documents_upload(
    *,
    actor: Actor,
    folder: Folder,
    uploads: Sequence[UploadedFile],
    category: str = Category.OTHER,
    document: Document | None = None,
    title: str = "",
    external_id: str | None = None,
    unchanged_since: datetime.datetime | None = None,
) -> list[Document]:
    """Publish each file as a new document in `folder` (or, with `document`, as its new version). All or
    nothing: one rejected file stores none of them. A single new document may be given its `title` (else the
    file's name) and the `external_id` of the provider's own system (the API), unique in the portal. With
    `unchanged_since` (the API's If-Match), a new version is refused (`DocumentChanged`) when the document changed
    after that moment, checked under the document's lock."""
    if not actor.is_staff or not may(actor, "documents.view", folder.client_org):
        raise NotFound
    if not uploads:
        raise DocumentError(_("Choose at least one file."), field="files")
    if document is not None and (document.folder_id != folder.pk or len(uploads) != 1):
        raise DocumentError(_("A new version is one file."), field="files")
    if external_id is not None and not 0 < len(external_id) <= EXTERNAL_ID_MAX:
        raise DocumentError(_("An external id has 1 to 100 characters."), field="external_id")
    if (title or external_id) and (document is not None or len(uploads) != 1):
        raise DocumentError(_("A title or an external id is given to one new document."), field="files")
    inspected = []
    for upload in uploads:
        name = safe_name(upload.name or "")
        _refuse_if_too_large(name, upload.size or 0)
        try:
            result = inspect(upload, name)
        except FileRejected as error:
            raise DocumentError(error.message, field="files") from None
        inspected.append((upload, name, result, scan_or_refuse(actor, folder, upload, name, result)))
    incoming = sum(result.size for _upload, _name, result, _scanned in inspected)
    try:
        ensure_room(incoming)
        with transaction.atomic():
            # Serialise this tenant's writers of stored files, then check the quota again: two uploads at once
            # cannot both squeeze under it.
            quota_lock()
            ensure_room(incoming)
            # Checked under the lock, which serialises publishing: two calls for one external id cannot both pass.
            if external_id and Document.objects.filter(external_id=external_id).exists():
                raise DocumentError(_("A document with this external id exists already."), field="external_id")
            new = {"title": title.strip()[:200], "external_id": external_id or None, "unchanged_since": unchanged_since}
            return _publish(actor, folder, inspected, category, document, new)
    except QuotaExceeded as error:
        raise DocumentError(error.message, field="files") from None


def _publish(
    actor: Actor, folder: Folder, inspected: list[tuple[UploadedFile, str, Inspection, str]], category: str,
    document: Document | None, new: dict[str, Any],
) -> list[Document]:  # fmt: skip
    published = []
    written: list[str] = []
    try:
        for upload, name, result, scanned in inspected:
            published.append(
                _publish_one(actor, folder, upload, name, result, scanned, category, document, written, new)
            )
    except BaseException:
        # The rows roll back with the transaction; the files the storage already wrote must go too.
        for stored in written:
            default_storage.delete(stored)
        raise
    return published


def _publish_one(
    actor: Actor, folder: Folder, upload: UploadedFile, name: str, result: Inspection, scanned: str, category: str,
    document: Document | None, written: list[str], new: dict[str, Any],
) -> Document:  # fmt: skip
    if document is not None:  # one new version of a document at a time: the numbers stay unique
        locked = Document.objects.select_for_update().filter(pk=document.pk).values_list("updated_at", flat=True)
        if new["unchanged_since"] is not None and locked.first() != new["unchanged_since"]:
            raise DocumentChanged(_("The document changed since you read it: read it again."))
    target = document or Document.objects.create(
        folder=folder, title=new["title"] or name.rsplit(".", 1)[0] or name, category=category,
        external_id=new["external_id"],
    )  # fmt: skip
    number = (target.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    version = DocumentVersion(
        document=target, number=number, original_name=name, size=result.size, sha256=result.sha256,
        content_type=result.content_type, uploaded_by=actor.user, scan_status=scanned,
    )  # fmt: skip
    version.file.save(name, upload, save=False)  # streamed by the storage, chunk by chunk
    written.append(str(version.file.name))
    version.save()
    transaction.on_commit(thumbnail_later(version.pk))
    target.save(update_fields=["updated_at"])
    record(
        actor=actor, verb="document.version_added" if document else "document.published", target=target,
        data={"version": number, "file": name},
    )  # fmt: skip
    return target


@not_audited("a filter")
def uploads_of(actor: Actor) -> Q:
    """The resumable uploads that are the actor's own: a person's, or an API key's."""
    if actor.api_key is not None:
        return Q(api_key=actor.api_key)
    return Q(user=actor.user) if actor.user is not None else Q(pk__in=[])


@not_audited("reserves quota for an upload; the document is recorded when the upload completes")
def upload_reserve(
    *, actor: Actor, folder: Folder, filename: str, length: int, category: str = Category.OTHER
) -> ResumableUpload:
    """Start a resumable upload of `length` bytes into `folder`: it reserves that room in the plan's quota until it
    completes or expires. The size limit, what the person already holds in reservations
    (RESUMABLE_RESERVATION_MAX_BYTES) and the quota are checked under the quota lock, so uploads started at once
    cannot all squeeze under them; the content is checked when the last chunk arrives (`documents_upload`)."""
    if not actor.is_staff or not may(actor, "documents.view", folder.client_org):
        raise NotFound
    name = safe_name(filename)
    if length <= 0:
        raise DocumentError(_("%(name)s is empty.") % {"name": name}, field="files")
    _refuse_if_too_large(name, length)
    if category not in Category.values:
        category = Category.OTHER
    try:
        with transaction.atomic():
            quota_lock()
            mine = ResumableUpload.objects.active().filter(uploads_of(actor))
            held = int(mine.aggregate(total=Sum("length"))["total"] or 0)
            if held + length > settings.RESUMABLE_RESERVATION_MAX_BYTES:
                raise DocumentError(reservations_full(name, held), field="files")
            ensure_room(length)
            return ResumableUpload.objects.create(
                id=uuid.uuid4(), user=actor.user if actor.api_key is None else None, api_key=actor.api_key,
                folder=folder, category=category, filename=name, length=length,
            )  # fmt: skip
    except QuotaExceeded as error:
        raise DocumentError(error.message, field="files") from None


@not_audited("formats a message")
def reservations_full(name: str, held: int) -> str:
    ttl = timesince(timezone.now() - timedelta(seconds=settings.RESUMABLE_UPLOAD_TTL_SECONDS))
    return _(
        "%(name)s cannot start: you may have at most %(limit)s in unfinished uploads at once, and %(held)s are "
        "already waiting for their data. Finish or cancel those first; an upload nobody continues expires "
        "%(ttl)s after its last activity."
    ) % {"name": name, "limit": filesizeformat(settings.RESUMABLE_RESERVATION_MAX_BYTES),
         "held": filesizeformat(held), "ttl": ttl}  # fmt: skip


@not_audited("housekeeping: unfinished uploads expire by rule, not by a person")
def uploads_expire() -> int:
    """Delete the resumable uploads nobody continued for RESUMABLE_UPLOAD_TTL_SECONDS (their reservations end)
    with their part files, and the part files no upload owns. Call in the tenant's schema (the hourly sweep
    sends it to every tenant). Returns how many uploads expired."""
    # Listed before the rows are read: a part is only ever written for an upload that exists, so a part listed
    # here whose upload is gone afterwards is an orphan, never one an upload started in between is writing.
    parts = resumable.parts()
    with transaction.atomic():
        # An upload receiving a chunk right now holds its row: skip it (the chunk makes it live again).
        expired = ResumableUpload.objects.expired().select_for_update(skip_locked=True)
        ids = list(expired.values_list("pk", flat=True))
        ResumableUpload.objects.filter(pk__in=ids).delete()
    kept = {str(pk) for pk in ResumableUpload.objects.values_list("pk", flat=True)}
    resumable.remove(part for part in parts if part.name not in kept)
    return len(ids)


@not_audited("a part of a file arriving: the document it becomes is recorded when it is published")
def upload_append(*, actor: Actor, upload: ResumableUpload, offset: int, stream: Any) -> ResumableUpload:
    """Append the next chunk of the person's upload at `offset`, the one the server recorded (tus PATCH). The row
    is locked for the append, so two requests for one upload never interleave."""
    with transaction.atomic():
        locked = ResumableUpload.objects.live().select_for_update().filter(uploads_of(actor), pk=upload.pk).first()
        if locked is None:  # expired (and perhaps swept) since
            raise NotFound
        if locked.offset == locked.length:  # complete: being published, or published, by the request that did it
            raise UploadRefused(_("This upload is complete."), status=409)
        if offset != locked.offset:
            raise UploadRefused(_("Upload-Offset is %(offset)d.") % {"offset": locked.offset}, status=409)
        try:
            locked.offset = resumable.append(str(locked.id), stream, offset, locked.length)
        except ValueError:
            raise UploadRefused(
                _("The stored part does not match this offset; ask for it again with HEAD."), status=409
            ) from None
        except OverflowError:
            raise UploadRefused(_("More data than Upload-Length."), status=413) from None
        locked.last_activity_at = timezone.now()
        locked.save(update_fields=["offset", "last_activity_at"])
    return locked


@not_audited("the person gives up their own upload: nothing was published")
def upload_discard(*, actor: Actor, upload: ResumableUpload) -> None:
    if not ResumableUpload.objects.filter(uploads_of(actor), pk=upload.pk).exists():
        raise NotFound
    resumable.discard(str(upload.id))
    upload.delete()


@not_audited("publishing goes through documents_upload, which records document.published")
def upload_finish(*, actor: Actor, upload: ResumableUpload) -> Document:
    """The last chunk arrived: publish through the checks of every upload, then drop the part file either way
    (a refused file's upload is deleted: it cannot be resumed into something else)."""
    upload_id = str(upload.id)  # deleting the row below clears its primary key
    file = resumable.as_uploaded_file(upload_id, upload.filename, upload.length)
    try:
        [document] = documents_upload(actor=actor, folder=upload.folder, uploads=[file], category=upload.category)
    except DocumentError:
        upload.delete()
        raise
    finally:
        file.close()
        resumable.discard(upload_id)
    upload.document = document
    upload.save(update_fields=["document"])
    return document
