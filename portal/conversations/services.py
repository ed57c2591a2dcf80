"""Writing comments: checked against the target's visibility, events recorded in the same transaction."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models import Sum
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.audit import audited, not_audited
from core.errors import DomainError
from portal.access.policy import Actor, NotFound
from portal.access.visibility import visibility_of
from portal.activity.services import record
from portal.conversations.models import Attachment, Comment, QuarantinedAttachment
from portal.conversations.registry import commentable_for, visible
from portal.conversations.selectors import may_comment, mentionable
from portal.files.inspection import FileRejected, Inspection, inspect, safe_name
from portal.files.quota import QuotaExceeded, ensure_room, quota_lock
from portal.files.scanning import ScanResult, screen

MAX_ATTACHMENTS = 5
# The window of the per-person attachment budget (COMMENT_ATTACHMENT_BYTES_PER_DAY).
BUDGET_WINDOW = timedelta(hours=24)
MENTION = re.compile(r"@([\w.+-]+@[\w-]+(?:\.[\w-]+)+)")


class CommentError(DomainError):
    """A comment refused."""


@not_audited("reads only")
def mentioned_people(body: str, *, target: models.Model, internal: bool) -> list[User]:
    """People named as `@their.address@example.com` who may see the comment (others are not told): the people
    the mention picker offers (`selectors.mentionable`), by the same rule and query as every event's audience."""
    emails = {match.lower() for match in MENTION.findall(body)}
    if not emails:
        return []
    return list(mentionable(target, internal=internal).filter(email__in=emails).order_by("pk"))


@dataclass(frozen=True)
class CheckedFile:
    upload: UploadedFile
    name: str
    inspection: Inspection
    scan_status: str


@audited("comment.added", "note.added")
def comment_add(
    *,
    actor: Actor,
    target: models.Model,
    body: str,
    internal: bool = False,
    files: Sequence[UploadedFile] | None = None,
) -> Comment:
    """Comment on a target the actor may see; a contact needs `comments.create` (staff are not limited by
    capabilities). Attachments go through the checks documents go through (portal.files): a safe name, the size
    limit, the type sniffed from the content against the allow-list, the virus scan (an infected file is
    quarantined), the plan's quota and the person's daily attachment budget. They are checked before the
    comment's transaction, so a quarantine record survives the refusal, and the quota and the budget again under
    the quota lock as the comment is written. One refused file stores nothing."""
    if not may_comment(actor, target) or (internal and not actor.is_staff):
        raise NotFound
    checked = attachments_check(actor=actor, target=target, files=list(files or []))
    written: list[str] = []
    try:
        return _comment_write(actor=actor, target=target, body=body, internal=internal, files=checked, written=written)
    except BaseException:
        for stored in written:  # the rows rolled back with the transaction; the stored files go too
            default_storage.delete(stored)
        raise


@not_audited("checks files; an infected one is kept in quarantine, its own record")
def attachments_check(*, actor: Actor, target: models.Model, files: list[UploadedFile]) -> list[CheckedFile]:
    """Check every file, cheapest checks first; raises `CommentError` for the first one refused."""
    if len(files) > MAX_ATTACHMENTS:
        raise CommentError(_("Attach at most %(count)d files.") % {"count": MAX_ATTACHMENTS}, field="files")
    limit = settings.COMMENT_ATTACHMENT_MAX_BYTES
    inspected = []
    try:
        for upload in files:
            name = safe_name(upload.name or "")
            if (upload.size or 0) > limit:
                raise CommentError(
                    _("%(name)s is larger than the %(limit)d MB a file may be.")
                    % {"name": name, "limit": limit // 1024**2},
                    field="files",
                )
            inspected.append((upload, name, inspect(upload, name)))
        if inspected:
            incoming = sum(inspection.size for _upload, _name, inspection in inspected)
            ensure_within_budget(actor, incoming)
            ensure_room(incoming)
        return [
            CheckedFile(upload, name, inspection, _scan(actor, target, upload, name, inspection))
            for upload, name, inspection in inspected
        ]
    except (FileRejected, QuotaExceeded) as error:
        raise CommentError(error.message, field="files") from None


@not_audited("reads only")
def attachment_bytes_today(user: User | None) -> int:
    """Bytes of comment attachments `user` stored in the last 24 hours (the window of their budget)."""
    recent = Attachment.objects.filter(comment__author=user, comment__created_at__gte=timezone.now() - BUDGET_WINDOW)
    return int(recent.aggregate(total=Sum("size"))["total"] or 0)


@not_audited("checks only")
def ensure_within_budget(actor: Actor, incoming: int) -> None:
    """Refuse `incoming` more attachment bytes when they would take the person over
    `COMMENT_ATTACHMENT_BYTES_PER_DAY` in 24 hours (`CommentError` on the files). Comments cannot be deleted (yet),
    so without a budget one person could fill the portal's quota, at the comment rate, and block every upload for
    good. Called with the quota: before the scan, and again under the quota lock (which also serialises one
    person's concurrent comments, so two cannot both squeeze under)."""
    budget = settings.COMMENT_ATTACHMENT_BYTES_PER_DAY
    used = attachment_bytes_today(actor.user)
    if used + incoming > budget:
        raise CommentError(
            _(
                "You can attach up to %(budget)s of files in 24 hours, and you have %(left)s left: try again later, "
                "or attach smaller files."
            )
            % {"budget": filesizeformat(budget), "left": filesizeformat(max(budget - used, 0))},
            field="files",
        )


def _scan(actor: Actor, target: models.Model, upload: UploadedFile, name: str, inspection: Inspection) -> str:
    def quarantine(stored: str, outcome: ScanResult) -> None:
        QuarantinedAttachment.objects.create(
            file=stored, original_name=name, sha256=inspection.sha256, signature=outcome.signature[:200],
            uploaded_by=actor.user, client_org_id=visibility_of(target).org_id,
            target_type=commentable_for(target).type_code, target_id=target.pk,
        )  # fmt: skip

    return screen(upload, name=name, sha256=inspection.sha256, size=inspection.size, quarantine=quarantine)


@transaction.atomic
def _comment_write(
    *, actor: Actor, target: models.Model, body: str, internal: bool, files: list[CheckedFile], written: list[str]
) -> Comment:
    entry = commentable_for(target)
    seen = visibility_of(target)
    if not visible(actor, target) or seen.org_id is None:
        raise NotFound
    if internal and not actor.is_staff:
        raise NotFound
    internal = internal or seen.internal
    body = body.strip()
    files = files or []
    if not body and not files:
        raise CommentError(_("Write something or attach a file."), field="body")
    if files:
        # The lock documents take too: checked again under it, two uploads at once cannot both squeeze under.
        quota_lock()
        incoming = sum(checked.inspection.size for checked in files)
        ensure_within_budget(actor, incoming)
        try:
            ensure_room(incoming)
        except QuotaExceeded as error:
            raise CommentError(error.message, field="files") from None
    comment = Comment.objects.create(
        target_type=entry.type_code,
        target_id=target.pk,
        client_org_id=seen.org_id,
        author=actor.user,
        # A key's comment has no person behind it: the thread names the key, as its events do.
        author_label=actor.label[:200] if actor.api_key is not None else "",
        body=body,
        internal=internal,
    )
    for checked in files:
        attachment = Attachment(
            comment=comment, name=checked.name, size=checked.inspection.size,
            content_type=checked.inspection.content_type, sha256=checked.inspection.sha256,
            scan_status=checked.scan_status,
        )  # fmt: skip
        attachment.file.save(checked.name, checked.upload, save=False)  # streamed by the storage
        written.append(str(attachment.file.name))
        attachment.save()
    mentioned = [person for person in mentioned_people(body, target=target, internal=internal) if person != actor.user]
    comment.mentions.set(mentioned)
    data = {"excerpt": body[:200], "target_type": entry.type_code, "target_id": target.pk, "comment_id": comment.pk}
    if mentioned:  # one comment, one event: the people it names are told of it as a mention, once
        data["told_as"] = {"comment.mentioned": [person.pk for person in mentioned]}
    record(actor=actor, verb="note.added" if internal else "comment.added", target=target, internal=internal, data=data)
    if entry.on_comment is not None:
        entry.on_comment(actor, target, comment)
    return comment


@transaction.atomic
@not_audited("part of the delete service of the target, which records the deletion")
def comments_delete_for(*, target: models.Model) -> int:
    """Delete every comment on `target`, with its attachments' rows and, after commit, their files (a rollback
    keeps them). Comments point to their target by type and id, so nothing cascades: the delete service of every
    commentable calls this in its own transaction, before deleting the target, after asking `portal.access`
    whether the actor may (this is part of that action, not one of its own). Returns the number of comments."""
    entry = commentable_for(target)
    comments = Comment.objects.filter(target_type=entry.type_code, target_id=target.pk)
    names = [str(name) for name in Attachment.objects.filter(comment__in=comments).values_list("file", flat=True)]
    count = comments.count()
    comments.delete()  # attachments and mentions cascade

    def delete_files() -> None:
        for name in names:
            if name:
                default_storage.delete(name)

    transaction.on_commit(delete_files)
    return count
