from django.db import models
from django.db.models import QuerySet

from portal.access.policy import Actor, NotFound
from portal.conversations.models import Attachment, Comment
from portal.conversations.registry import commentable_for, visible


def may_comment(actor: Actor, target: models.Model) -> bool:
    """May the actor comment on this target? Whoever may see it, for staff; for a contact, with comments.create
    too (the thread shows them no form without it)."""
    return visible(actor, target) and (actor.is_staff or "comments.create" in actor.capabilities)


def comments_for(actor: Actor, target: models.Model) -> QuerySet[Comment]:
    """The thread of a target the actor may see; internal notes for staff only."""
    entry = commentable_for(target)
    if not visible(actor, target):
        return Comment.objects.none()
    comments = Comment.objects.filter(target_type=entry.type_code, target_id=target.pk)
    if not actor.is_staff:
        comments = comments.filter(internal=False)
    return comments.select_related("author").prefetch_related("attachments")


def attachment_get_for(actor: Actor, attachment_id: int) -> Attachment:
    attachment = Attachment.objects.select_related("comment", "comment__client_org").filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound
    comment = attachment.comment
    if comment.internal and not actor.is_staff:
        raise NotFound
    from portal.conversations.registry import COMMENTABLE

    entry = COMMENTABLE[comment.target_type]
    target = entry.model._default_manager.filter(pk=comment.target_id).first()
    if target is None or not visible(actor, target):
        raise NotFound
    return attachment
