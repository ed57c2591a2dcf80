"""Writing comments: checked against the target's visibility, events recorded in the same transaction."""

import re

from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from config.errors import DomainError
from portal.access.policy import Actor, NotFound, actor_for
from portal.activity.services import record
from portal.conversations.models import Attachment, Comment
from portal.conversations.registry import commentable_for, visible

MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MENTION = re.compile(r"@([\w.+-]+@[\w-]+(?:\.[\w-]+)+)")


class CommentError(DomainError):
    """A comment refused."""


def mentioned_people(body: str, *, target: models.Model, internal: bool) -> list[User]:
    """People named as `@their.address@example.com` who may see the comment (others are not told)."""
    entry = commentable_for(target)
    emails = {match.lower() for match in MENTION.findall(body)}
    people = User.objects.filter(email__in=emails, is_active=True)
    internal = internal or entry.internal_of(target)
    viewers = [(person, actor_for(person)) for person in people]
    return [
        person
        for person, viewer in viewers
        if (not internal or viewer.is_staff) and visible(entry, viewer, target)  # visible: the target's own check
    ]


@transaction.atomic
def comment_add(
    *, actor: Actor, target: models.Model, body: str, internal: bool = False, files: list[UploadedFile] | None = None
) -> Comment:
    entry = commentable_for(target)
    org = entry.org_of(target)
    if not visible(entry, actor, target):
        raise NotFound
    if internal and not actor.is_staff:
        raise NotFound
    internal = internal or entry.internal_of(target)
    body = body.strip()
    files = files or []
    if not body and not files:
        raise CommentError(_("Write something or attach a file."), field="body")
    if len(files) > MAX_ATTACHMENTS:
        raise CommentError(_("Attach at most %(count)d files.") % {"count": MAX_ATTACHMENTS}, field="files")
    for upload in files:
        if (upload.size or 0) > MAX_ATTACHMENT_BYTES:
            raise CommentError(_("%(name)s is larger than 20 MB.") % {"name": upload.name}, field="files")
    comment = Comment.objects.create(
        target_type=entry.type_code,
        target_id=target.pk,
        client_org=org,
        author=actor.user,
        body=body,
        internal=internal,
    )
    for upload in files:
        name = (upload.name or "file").replace("/", "_").replace("\\", "_")[-150:]
        attachment = Attachment(
            comment=comment,
            name=name,
            size=upload.size or 0,
            content_type=upload.content_type or "application/octet-stream",
        )
        attachment.file.save(name, upload, save=False)
        attachment.save()
    mentioned = [person for person in mentioned_people(body, target=target, internal=internal) if person != actor.user]
    comment.mentions.set(mentioned)
    data = {"excerpt": body[:200], "target_type": entry.type_code, "target_id": target.pk}
    # People mentioned are told once, by the mention, not also by the comment.
    record(actor=actor, verb="note.added" if internal else "comment.added", target=target, client_org=org,
           internal=internal, data={**data, "excluded": [person.pk for person in mentioned]})  # fmt: skip
    if mentioned:
        record(actor=actor, verb="comment.mentioned", target=target, client_org=org, internal=internal,
               data={**data, "recipients": [person.pk for person in mentioned]})  # fmt: skip
    return comment
