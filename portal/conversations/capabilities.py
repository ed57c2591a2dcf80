"""Commenting joins the capability registry: an action, not a page. Contacts comment (and attach files) only
with `comments.create`; staff are not limited by capabilities. Loaded at start-up (`ConversationsConfig`)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.access.capabilities import DefaultRole, Proof, register

COMMENTS_CREATE = register(
    "comments.create",
    label=_("Comment and attach files"),
    description=_("Write comments on their organisation and its documents, with files attached."),
    default_roles={DefaultRole.CLIENT_ADMIN, DefaultRole.FINANCE, DefaultRole.PROJECT_LEAD},
    # Proved by commenting on the organisation itself (seeing it takes organisation.view), as htmx does: the
    # thread comes back (200), where someone without the capability gets 404.
    proof=Proof(
        url=lambda org_id: reverse("conversations:add", kwargs={"type_code": "client", "target_id": org_id}),
        method="POST",
        data={"body": "Proof of comments.create"},
        headers={"HX-Request": "true"},
        also=frozenset({"organisation.view"}),
    ),
)
