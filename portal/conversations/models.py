from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def attachment_path(attachment: "Attachment", filename: str) -> str:
    from django.db import connection

    return f"{connection.schema_name}/comments/{attachment.comment_id}/{filename}"  # type: ignore[attr-defined]


class Comment(models.Model):
    """A comment on anything commentable (see portal.conversations.registry); internal ones are staff notes."""

    target_type = models.CharField(max_length=60)
    target_id = models.BigIntegerField()
    client_org = models.ForeignKey("clients.ClientOrg", on_delete=models.CASCADE, related_name="comments")
    # A person, or nobody for a comment an API key posted (the provider's systems): then `author_label` names it.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="comments"
    )
    author_label = models.CharField(max_length=200, blank=True)
    body = models.TextField(_("comment"))
    internal = models.BooleanField(_("internal note (staff only)"), default=False)
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="mentioned_in")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.author_name}: {self.body[:40]}"

    @property
    def author_name(self) -> str:
        """Who wrote it, as the thread shows it: the person, or the API key it came from."""
        return str(self.author) if self.author is not None else self.author_label


class Attachment(models.Model):
    """A file attached to a comment, checked as documents are (portal.files): named safely, its type sniffed from
    the content, scanned. Counted in the plan's storage quota (portal.conversations.usage)."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    name = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    # Sniffed from the content, not the name, for attachments stored since the checks (earlier ones: as claimed).
    content_type = models.CharField(max_length=100)
    sha256 = models.CharField(max_length=64, blank=True)  # empty for attachments stored before the checks
    scan_status = models.CharField(
        max_length=20,
        choices=[("clean", _("Scanned, clean")), ("too_large", _("Not scanned: too large")),
                 ("not_configured", _("Not scanned"))],
        default="not_configured",
    )  # fmt: skip

    def __str__(self) -> str:
        return self.name


class QuarantinedAttachment(models.Model):
    """An attachment the scanner found infected: kept aside for review, never attached, never served."""

    file = models.FileField(max_length=400)
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    signature = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    client_org = models.ForeignKey("clients.ClientOrg", null=True, on_delete=models.CASCADE, related_name="+")
    target_type = models.CharField(max_length=60)
    target_id = models.BigIntegerField()
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.original_name} ({self.signature})"
