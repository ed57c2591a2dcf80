"""Per-person rate limits on what one person could repeat to flood a portal: comments, invitations, uploads, and
the mention picker's lookups (which would otherwise walk the directory a letter at a time) and the preview pages
rendered on first view (each runs poppler in the web process).

django-ratelimit counts in the cache, per signed-in user (`key="user"`); cache keys carry the schema, so the same
user id in two portals are two people. Rates come from settings (COMMENT_RATE, INVITATION_RATE, UPLOAD_RATE).
Views never block with an error page: they ask `limited(request)` and answer with a message the person can act
on (a form error or a message on the page, or 429 with a JSON error for fetch, tus and htmx).
"""

from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited
from django_ratelimit.decorators import ratelimit

View = TypeVar("View", bound=Callable[..., Any])

COMMENTS = "comments"
INVITATIONS = "invitations"
UPLOADS = "uploads"
MENTION_LOOKUPS = "mention-lookups"
PREVIEW_RENDERS = "preview-renders"
REQUESTS = "requests"
WEBHOOK_SENDS = "webhook-sends"
RATE_SETTINGS = {
    REQUESTS: "REQUEST_RATE",
    COMMENTS: "COMMENT_RATE",
    INVITATIONS: "INVITATION_RATE",
    UPLOADS: "UPLOAD_RATE",
    MENTION_LOOKUPS: "MENTION_LOOKUP_RATE",
    PREVIEW_RENDERS: "PREVIEW_RENDER_RATE",
    WEBHOOK_SENDS: "WEBHOOK_SEND_RATE",
}


def rate(group: str, request: HttpRequest | None = None) -> str:
    return str(getattr(settings, RATE_SETTINGS[group]))


def per_person(group: str) -> Callable[[View], View]:
    """Count each POST of the view in `group`, per person; the view reads `limited(request)`."""
    return ratelimit(group=group, key="user", rate=rate, method="POST", block=False)


def limited(request: HttpRequest) -> bool:
    return bool(getattr(request, "limited", False))


def count(request: HttpRequest, group: str) -> bool:
    """Count one more action in `group` for this person, now; True when it goes over the rate. For actions a view
    takes on only some of its requests: resending an invitation (a POST), a mention lookup or a preview page that
    must be rendered first (GETs). Counted under the request's own method, as `per_person` counts POSTs: the
    counter's key carries the method, so a resend and an invitation sent share one allowance."""
    return bool(is_ratelimited(request, group=group, key="user", rate=rate, method=request.method, increment=True))


def message(group: str) -> str:
    return {
        COMMENTS: _("You are commenting faster than this portal allows. Please wait a few minutes and try again."),
        INVITATIONS: _("You have sent many invitations in a short time. Please wait a while before sending more."),
        UPLOADS: _("You have started many uploads in a short time. Please wait a while and try again."),
        MENTION_LOOKUPS: _("You are looking people up faster than this portal allows. Please wait a minute."),
        PREVIEW_RENDERS: _("You are opening new preview pages faster than this portal allows. Please wait a minute."),
        REQUESTS: _("You have sent many requests in a short time. Please wait a while before sending another."),
        WEBHOOK_SENDS: _("You have sent many test events or replays in a short time. Please wait a while."),
    }[group]
