"""Writing documents: folders, uploads (new documents or new versions). Checked against `portal.access` and the
plan's limits; the stored name is derived from the content's hash, under the tenant's prefix."""

from collections.abc import Callable

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import F, Max, Sum
from django.utils.translation import gettext as _

from billing.models import Subscription
from config.errors import DomainError
from portal.access.policy import Actor, NotFound, may
from portal.activity.services import record
from portal.clients.models import ClientOrg
from portal.documents.files import FileRejected, Inspection, inspect, safe_name
from portal.documents.models import Category, Document, DocumentVersion, Folder, QuarantinedFile, ResumableUpload
from portal.documents.scanning import ScannerUnavailable, ScanStatus, scan
from portal.documents.tasks import thumbnail_make_task


class DocumentError(DomainError):
    """A document or upload refused."""


def storage_used() -> int:
    """Bytes stored by this portal's documents (every version), plus those announced by resumable uploads still
    under way (they will need the room)."""
    stored = DocumentVersion.objects.aggregate(total=Sum("size"))["total"] or 0
    pending = ResumableUpload.objects.filter(document__isnull=True, offset__lt=F("length"))
    announced = pending.aggregate(total=Sum("length"))["total"] or 0
    return int(stored + announced)


def storage_quota() -> int:
    return int(connection.tenant.subscription.plan.storage_bytes)  # type: ignore[attr-defined]


def thumbnail_later(version_id: int) -> Callable[[], None]:
    def make() -> None:
        thumbnail_make_task.delay(version_id)

    return make


def scan_or_refuse(actor: Actor, folder: Folder, upload: UploadedFile, name: str, result: Inspection) -> str:
    """Scan the file when a scanner is configured. An infected file is quarantined and refused; one too large to
    scan is refused or flagged, as the portal chose; a scanner that does not answer refuses the upload. Runs
    before the publishing transaction, so the quarantine record survives the refusal."""
    try:
        outcome = scan(upload, result.size)
    except ScannerUnavailable as error:
        raise DocumentError(
            _("%(name)s could not be checked for viruses; try again later.") % {"name": name}
        ) from error
    if outcome.status == ScanStatus.INFECTED:
        stored = default_storage.save(f"{connection.schema_name}/quarantine/{result.sha256}", upload)  # type: ignore[attr-defined]
        QuarantinedFile.objects.create(
            file=stored, original_name=name, sha256=result.sha256, signature=outcome.signature[:200],
            uploaded_by=actor.user, client_org=folder.client_org,
        )  # fmt: skip
        raise DocumentError(
            _("%(name)s contains malware (%(signature)s) and was not published.")
            % {"name": name, "signature": outcome.signature},
            field="files",
        )
    if outcome.status == ScanStatus.TOO_LARGE and connection.tenant.unscanned_files == "reject":  # type: ignore[attr-defined]
        raise DocumentError(
            _("%(name)s is too large for the virus scanner, and this portal refuses files it cannot scan.")
            % {"name": name},
            field="files",
        )
    return outcome.status


@transaction.atomic
def document_delete(*, actor: Actor, document: Document) -> None:
    """Delete a document, its versions and their files (after commit: a rollback keeps the files)."""
    if not actor.manages_portal and not (actor.is_staff and may(actor, "documents.view", document.folder.client_org)):
        raise NotFound
    names = [name for pair in document.versions.values_list("file", "thumbnail") for name in pair if name]
    record(actor=actor, verb="document.deleted", target=document, client_org=document.folder.client_org,
           internal=document.folder.internal)  # fmt: skip
    document.delete()

    def delete_files() -> None:
        for name in names:
            default_storage.delete(name)

    transaction.on_commit(delete_files)


@transaction.atomic
def folder_create(*, actor: Actor, org: ClientOrg, name: str, internal: bool) -> Folder:
    if not actor.is_staff or not may(actor, "documents.view", org):
        raise NotFound
    name = name.strip()
    if Folder.objects.filter(client_org=org, name__iexact=name).exists():
        raise DocumentError(_("This client has a folder with that name already."), field="name")
    folder = Folder(client_org=org, name=name, internal=internal)
    folder.full_clean()
    folder.save()
    return folder


def documents_upload(
    *,
    actor: Actor,
    folder: Folder,
    uploads: list[UploadedFile],
    category: str = Category.OTHER,
    document: Document | None = None,
) -> list[Document]:
    """Publish each file as a new document in `folder` (or, with `document`, as its new version). All or
    nothing: one rejected file stores none of them."""
    if not actor.is_staff or not may(actor, "documents.view", folder.client_org):
        raise NotFound
    if not uploads:
        raise DocumentError(_("Choose at least one file."), field="files")
    if document is not None and (document.folder_id != folder.pk or len(uploads) != 1):
        raise DocumentError(_("A new version is one file."), field="files")
    inspected = []
    for upload in uploads:
        name = safe_name(upload.name or "")
        if (upload.size or 0) > settings.DOCUMENT_MAX_BYTES:
            raise DocumentError(
                _("%(name)s is larger than the %(limit)d MB a file may be.")
                % {"name": name, "limit": settings.DOCUMENT_MAX_BYTES // 1024**2},
                field="files",
            )
        try:
            result = inspect(upload, name)
        except FileRejected as error:
            raise DocumentError(error.message, field="files") from None
        inspected.append((upload, name, result, scan_or_refuse(actor, folder, upload, name, result)))
    incoming = sum(result.size for _upload, _name, result, _scanned in inspected)
    if storage_used() + incoming > storage_quota():
        raise DocumentError(_("This upload would go over your plan's storage quota."), field="files")
    with transaction.atomic():
        # Serialise this tenant's uploads on its subscription row, then check the quota again: two uploads at
        # once cannot both squeeze under it.
        Subscription.objects.select_for_update().filter(tenant_id=connection.tenant.pk).first()  # type: ignore[attr-defined]
        if storage_used() + incoming > storage_quota():
            raise DocumentError(_("This upload would go over your plan's storage quota."), field="files")
        return _publish(actor, folder, inspected, category, document)


def _publish(
    actor: Actor, folder: Folder, inspected: list[tuple[UploadedFile, str, Inspection, str]], category: str,
    document: Document | None,
) -> list[Document]:  # fmt: skip
    published = []
    written: list[str] = []
    try:
        for upload, name, result, scanned in inspected:
            published.append(_publish_one(actor, folder, upload, name, result, scanned, category, document, written))
    except BaseException:
        # The rows roll back with the transaction; the files the storage already wrote must go too.
        for stored in written:
            default_storage.delete(stored)
        raise
    return published


def _publish_one(
    actor: Actor, folder: Folder, upload: UploadedFile, name: str, result: Inspection, scanned: str, category: str,
    document: Document | None, written: list[str],
) -> Document:  # fmt: skip
    if document is not None:  # one new version of a document at a time: the numbers stay unique
        Document.objects.select_for_update().filter(pk=document.pk).first()
    target = document or Document.objects.create(folder=folder, title=name.rsplit(".", 1)[0] or name, category=category)
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
        client_org=folder.client_org, internal=folder.internal, data={"version": number, "file": name},
    )  # fmt: skip
    return target
