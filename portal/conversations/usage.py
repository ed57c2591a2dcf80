"""What comments store, for the plan's storage quota (portal.files.quota). Loaded at start-up."""

from django.db.models import Sum

from portal.files import quota


def attachments_bytes() -> int:
    from portal.conversations.models import Attachment

    return int(Attachment.objects.aggregate(total=Sum("size"))["total"] or 0)


quota.register("comment-attachments", measure=attachments_bytes, fields=["conversations.Attachment.file"])
quota.exempt(
    "conversations.QuarantinedAttachment.file",
    reason="infected files kept aside for review, never attached or served; counting them would let malware fill "
    "a portal's quota and block its uploads (each is bounded by the attachment size limit and the comment rate)",
)
