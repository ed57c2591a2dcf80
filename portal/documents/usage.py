"""What documents store, for the plan's storage quota (portal.files.quota). Loaded at start-up."""

from django.db.models import Sum

from portal.files import quota


def versions_bytes() -> int:
    """Every version of every document."""
    from portal.documents.models import DocumentVersion

    return int(DocumentVersion.objects.aggregate(total=Sum("size"))["total"] or 0)


def reserved_bytes() -> int:
    """The room announced by resumable uploads under way (incomplete, not expired): they will need it."""
    from portal.documents.models import ResumableUpload

    return int(ResumableUpload.objects.active().aggregate(total=Sum("length"))["total"] or 0)


quota.register("document-versions", measure=versions_bytes, fields=["documents.DocumentVersion.file"])
quota.register("resumable-reservations", measure=reserved_bytes)
quota.exempt(
    "documents.DocumentVersion.thumbnail",
    reason="a small preview the system derives from a counted version (a PNG a few KB in size), not a file "
    "anyone stores",
)
quota.exempt(
    "documents.QuarantinedFile.file",
    reason="infected files kept aside for review, never published or served; counting them would let malware fill "
    "a portal's quota and block its uploads (each is bounded by the document size limit and the upload rate)",
)
