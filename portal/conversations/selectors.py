from dataclasses import replace
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet

from portal.access.policy import Actor, NotFound, people_who_may_see
from portal.access.visibility import visibility_of
from portal.conversations.models import Attachment, Comment
from portal.conversations.registry import commentable_for, visible

# Suggestions the mention picker shows at a time.
MENTION_SUGGESTIONS = 8


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


def mentionable(target: models.Model, *, internal: bool) -> QuerySet[Any]:
    """Everyone a comment on `target` may mention: whoever may see the comment (the target's own rule, staff only
    for an internal note), the same rule and query as every event's audience. The mention service tells these
    people and nobody else, and the picker offers these people and nobody else."""
    seen = visibility_of(target)
    return people_who_may_see(replace(seen, internal=seen.internal or internal))


def mention_candidates(actor: Actor, target: models.Model, *, internal: bool, query: str = "") -> QuerySet[Any]:
    """The people the actor may mention in a comment on `target` (themselves aside), matching `query` by name or
    address; nobody for someone who may not comment there, and no internal notes for contacts."""
    if not may_comment(actor, target) or (internal and not actor.is_staff):
        raise NotFound
    people = mentionable(target, internal=internal).exclude(pk=actor.user.pk)
    if not actor.is_staff and "contacts.view" not in actor.capabilities:
        # Their colleagues are listed only to those who may see colleagues; a mention by full address still works.
        people = people.filter(staff__isnull=False)
    for word in query.split():
        people = people.filter(Q(full_name__icontains=word) | Q(email__icontains=word))
    return people.order_by("full_name", "email")
