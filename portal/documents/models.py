"""Folders per client organisation, documents, their versions and every download."""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Folder(models.Model):
    client_org = models.ForeignKey("clients.ClientOrg", on_delete=models.CASCADE, related_name="folders")
    name = models.CharField(_("name"), max_length=120)
    internal = models.BooleanField(_("internal to staff"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["client_org", "name"], name="unique_folder_name_per_client")]

    def __str__(self) -> str:
        return self.name


class Category(models.TextChoices):
    REPORT = "report", _("Report")
    DELIVERABLE = "deliverable", _("Deliverable")
    CONTRACT = "contract", _("Contract")
    INVOICE = "invoice", _("Invoice")
    OTHER = "other", _("Other")


class Document(models.Model):
    folder = models.ForeignKey(Folder, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, default=Category.OTHER)
    external_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        # The same expression as `selectors.SEARCH`, so full-text queries use the index.
        indexes = [GinIndex(SearchVector("title", "description", config="simple"), name="document_search")]

    def __str__(self) -> str:
        return self.title


def version_path(version: "DocumentVersion", filename: str) -> str:
    from django.db import connection

    schema = connection.schema_name  # type: ignore[attr-defined]
    return f"{schema}/documents/{version.document_id}/{version.sha256[:16]}-{filename}"


def thumbnail_path(version: "DocumentVersion", filename: str) -> str:
    from django.db import connection

    return f"{connection.schema_name}/thumbnails/{filename}"  # type: ignore[attr-defined]


class DocumentVersion(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(upload_to=version_path, max_length=400)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=120, help_text=_("Sniffed from the content, not the name."))
    # Empty for files the system imported (API sync, commands).
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    thumbnail = models.ImageField(upload_to=thumbnail_path, blank=True, max_length=400)
    scan_status = models.CharField(
        max_length=20,
        choices=[("clean", _("Scanned, clean")), ("too_large", _("Not scanned: too large")),
                 ("not_configured", _("Not scanned"))],
        default="not_configured",
    )  # fmt: skip

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="one_number_per_version")]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"


def upload_expiry_cutoff() -> datetime:
    """Uploads whose last activity is older than this have expired (RESUMABLE_UPLOAD_TTL_SECONDS)."""
    return timezone.now() - timedelta(seconds=settings.RESUMABLE_UPLOAD_TTL_SECONDS)


class ResumableUploadQuerySet(models.QuerySet["ResumableUpload"]):
    def live(self) -> "ResumableUploadQuerySet":
        """Not expired: continued (or created) within RESUMABLE_UPLOAD_TTL_SECONDS."""
        return self.filter(last_activity_at__gte=upload_expiry_cutoff())

    def expired(self) -> "ResumableUploadQuerySet":
        return self.filter(last_activity_at__lt=upload_expiry_cutoff())

    def active(self) -> "ResumableUploadQuerySet":
        """Reservations: incomplete and not expired. The room they announced counts against the quota."""
        return self.live().filter(document__isnull=True, offset__lt=models.F("length"))


class ResumableUpload(models.Model):
    """A large file arriving in chunks (portal.documents.resumable). Until it completes or expires it reserves
    its announced length in the plan's quota; it expires RESUMABLE_UPLOAD_TTL_SECONDS after its last activity
    (creation or a chunk), and the hourly sweep deletes it with its part file."""

    id = models.UUIDField(primary_key=True)
    # Whose upload it is: a person's (the HTML), or an API key's (the provider's systems); only they continue it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    api_key = models.ForeignKey("api.ApiKey", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    folder = models.ForeignKey(Folder, on_delete=models.CASCADE, related_name="+")
    category = models.CharField(max_length=20, choices=Category.choices, default=Category.OTHER)
    filename = models.CharField(max_length=255)
    length = models.PositiveBigIntegerField()
    offset = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    last_activity_at = models.DateTimeField(default=timezone.now)
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = ResumableUploadQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) ^ models.Q(api_key__isnull=False), name="upload_has_one_owner"
            )
        ]

    def __str__(self) -> str:
        return f"{self.filename}: {self.offset}/{self.length}"


class QuarantinedFile(models.Model):
    """A file the scanner found infected: kept aside for review, never published, never served."""

    file = models.FileField(max_length=400)
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    signature = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    client_org = models.ForeignKey("clients.ClientOrg", on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.original_name} ({self.signature})"


class DownloadEvent(models.Model):
    """One download. Kept when the document or the person is deleted: the ids and names it referred to are
    copied here, so the record still says who took which file. Each download is also an audit-only event.
    Append-only like the events (migration 0007): the database stamps `at`; the only update allowed is the one
    `SET_NULL` makes."""

    version = models.ForeignKey(
        DocumentVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="downloads"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    document_id = models.BigIntegerField(null=True, db_index=True)
    document_title = models.CharField(max_length=200, blank=True)
    version_number = models.PositiveIntegerField(null=True)
    person_id = models.BigIntegerField(null=True, db_index=True)
    user_label = models.CharField(max_length=254, blank=True)
    at = models.DateTimeField(db_default=Now())  # stamped by the database (migration 0007)
    inline = models.BooleanField(default=False)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_label} downloaded {self.document_title} v{self.version_number}"
