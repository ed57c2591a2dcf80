"""What documents add to the portal's shared places: "what needs you" on the home page (new documents since the
person's last visit) and the top bar's search. Registered at start-up (`apps`); both read through the scoped
selectors, so nobody is told of, or finds, a document they may not open."""

from datetime import datetime, timedelta
from itertools import groupby
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import UserSession
from portal.access import attention, search
from portal.access.policy import Actor
from portal.documents import selectors

# At most this many organisations get their own "new documents" item on a member of staff's home.
MOST_ORGS = 4
# Titles named in an item's detail line.
TITLES_SHOWN = 3


def previous_visit(actor: Actor) -> datetime | None:
    """When the person came before this visit: the start of their sign-in before the latest one.

    A visit is a session (`accounts.UserSession`, one per sign-in, stamped with when it started): the newest
    is the visit under way, the one before it the previous visit. With two devices signed in at once that is
    the sign-in before the latest, whichever device made it; both show the same items, which is what people
    expect of "since your last visit". `last_login` cannot serve: signing in overwrites it before any page
    reads it.

    Signing out deletes the session's row, so a person who always signs out (or signs in for the first time)
    has no earlier session: the last `SESSION_COOKIE_AGE` (two weeks by default, the longest a session lives)
    stands in, so "new" stays recent rather than everything ever published. None for an anonymous actor."""
    if actor.user is None:
        return None
    starts = list(
        UserSession.objects.filter(user=actor.user).order_by("-created_at").values_list("created_at", flat=True)[:2]
    )
    if len(starts) == 2:
        return starts[1]
    return timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE)


def _titles(documents: list[Any]) -> str:
    shown = ", ".join(document.title for document in documents[:TITLES_SHOWN])
    more = len(documents) - TITLES_SHOWN
    if more > 0:
        return ngettext("%(titles)s and %(n)d more", "%(titles)s and %(n)d more", more) % {"titles": shown, "n": more}
    return shown


def new_documents(actor: Actor) -> list[attention.Need]:
    """ "N new documents since your last visit": one item for a contact (their organisation's documents page);
    for staff one per client with new documents (the most first, at most MOST_ORGS), since they are listed
    per client. Documents the person published themselves are not news to them."""
    since = previous_visit(actor)
    if since is None:
        return []
    documents = list(selectors.documents_published_since(actor, since)[:200])
    by_org = [
        (org, list(items))
        for org, items in groupby(
            sorted(documents, key=lambda document: (document.folder.client_org.name, document.folder.client_org_id)),
            key=lambda document: document.folder.client_org,
        )
    ]
    by_org.sort(key=lambda pair: -len(pair[1]))
    needs = []
    for org, items in by_org[:MOST_ORGS]:
        count = len(items)
        if actor.is_staff:
            title = ngettext(
                "new document for %(org)s since your last visit", "new documents for %(org)s since your last visit",
                count,
            ) % {"org": org.name}  # fmt: skip
        else:
            title = ngettext("new document since your last visit", "new documents since your last visit", count)
        needs.append(
            attention.Need(
                key=f"documents.new.{org.pk}",
                title=title,
                detail=_titles(items),
                url=reverse("documents:list", kwargs={"org_id": org.pk}),
                icon="document-text",
                count=count,
            )
        )
    return needs


def find_documents(actor: Actor, query: str, limit: int) -> list[search.Hit]:
    hits = []
    for document in selectors.documents_matching(actor, query, limit=limit):
        where = [document.folder.name, document.get_category_display()]
        if actor.is_staff:
            where.insert(0, document.folder.client_org.name)
        if document.folder.internal:
            where.append(_("internal"))
        url = reverse("documents:detail", kwargs={"document_id": document.pk})
        hits.append(search.Hit(title=document.title, url=url, detail=" · ".join(str(part) for part in where)))
    return hits


def register() -> None:
    from django.utils.translation import gettext_lazy

    attention.register("documents.new", new_documents)
    search.register("documents", gettext_lazy("Documents"), "document-text", find_documents)
