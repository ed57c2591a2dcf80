"""Unread comments join "what needs you" (`portal.access.attention`): the comments a person was told of and has
not read yet (their unread notifications of comment events), linking to the newest one in its thread; the
notification centre lists them all. Registered
at start-up (`ConversationsConfig.ready`)."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.access import attention
from portal.access.policy import Actor
from portal.activity.links import event_path
from portal.activity.selectors import notifications_for

# The events that tell of a comment (mentions recorded before they were told through the comment's own event too).
COMMENT_VERBS = ("comment.added", "note.added", "comment.mentioned")
# Items named in the detail line; the rest are counted.
NAMED = 3


def unread_comments(actor: Actor) -> list[attention.Need]:
    unread = notifications_for(actor).filter(read_at__isnull=True, event__verb__in=COMMENT_VERBS)
    unread = unread.order_by("-event__created_at", "-event_id")
    count = unread.count()
    newest = unread.first() if count else None
    if newest is None:
        return []
    names: list[str] = []
    for label in unread.values_list("event__target_label", flat=True)[:200]:
        if label not in names:
            names.append(label)
    shown = ", ".join(names[:NAMED])
    more = len(names) - NAMED
    if more > 0:
        detail = _("on %(items)s and %(more)d more") % {"items": shown, "more": more}
    else:
        detail = _("on %(items)s") % {"items": shown}
    return [
        attention.Need(
            key="unread-comments",
            title=ngettext("unread comment", "unread comments", count),
            detail=detail,
            url=event_path(newest.event),  # the newest one, in its thread
            icon="chat-bubble-left-right",
            count=count,
        )
    ]
