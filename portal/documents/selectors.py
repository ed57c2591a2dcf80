"""Reading documents for a person, through `portal.access`: internal folders are staff-only."""

from datetime import datetime

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from portal.access.policy import Actor, NotFound, client_orgs_for, may, may_see
from portal.clients.models import ClientOrg
from portal.documents.capabilities import DOCUMENTS_VIEW, document_visibility
from portal.documents.models import Document, DocumentVersion, Folder

SEARCH = SearchVector("title", "description", config="simple")


def folders_for(actor: Actor, org: ClientOrg) -> QuerySet[Folder]:
    if not may(actor, "documents.view", org):
        return Folder.objects.none()
    folders = Folder.objects.filter(client_org=org)
    return folders if actor.is_staff else folders.filter(internal=False)


def folder_get_for(actor: Actor, folder_id: int) -> Folder:
    """A folder of a client the actor reaches (internal ones for staff), or `NotFound`."""
    folder = Folder.objects.select_related("client_org").filter(pk=folder_id).first()
    if folder is None or not folders_for(actor, folder.client_org).filter(pk=folder.pk).exists():
        raise NotFound
    return folder


def documents_for(
    actor: Actor, org: ClientOrg, *, query: str = "", category: str = "", folder_id: int | None = None, order: str = ""
) -> QuerySet[Document]:
    documents = Document.objects.filter(folder__in=folders_for(actor, org)).select_related("folder")
    if folder_id:
        documents = documents.filter(folder_id=folder_id)
    if category:
        documents = documents.filter(category=category)
    if query.strip():
        search = SearchQuery(query, config="simple", search_type="websearch")
        documents = (
            documents.annotate(search=SEARCH)
            .filter(search=search)
            .annotate(rank=SearchRank(F("search"), search))
            .order_by("-rank", "-id")
        )
    elif order in ("title", "-title", "updated_at", "-updated_at"):
        documents = documents.order_by(order, "-id")
    return documents.prefetch_related("versions")


def document_get_for(actor: Actor, document_id: int) -> Document:
    document = Document.objects.select_related("folder", "folder__client_org").filter(pk=document_id).first()
    if document is None or not may_see(actor, document_visibility(document)):
        raise NotFound
    return document


def document_with_external_id_for(actor: Actor, external_id: str) -> Document | None:
    """The document the provider's system knows by `external_id`: None when there is none, `NotFound` when the
    actor may not see it (an upsert must not take another client's document)."""
    found = Document.objects.filter(external_id=external_id).values_list("pk", flat=True).first()
    return document_get_for(actor, found) if found is not None else None


def version_get_for(actor: Actor, version_id: int) -> DocumentVersion:
    version = DocumentVersion.objects.select_related("document__folder").filter(pk=version_id).first()
    if version is None:
        raise NotFound
    document_get_for(actor, version.document_id)
    return version


def documents_visible_to(actor: Actor) -> QuerySet[Document]:
    """Every document the actor may open, across the organisations they reach (archived ones left out): staff,
    those of their clients, internal folders included; a contact, their organisation's outside internal
    folders, with documents.view. The rule of `document_get_for` (`policy.may_see`), as one query."""
    if actor.is_staff:
        return Document.objects.filter(folder__client_org__in=client_orgs_for(actor).values("pk"))
    if actor.contact is not None and DOCUMENTS_VIEW.code in actor.capabilities:
        return Document.objects.filter(folder__client_org_id=actor.contact.client_org_id, folder__internal=False)
    return Document.objects.none()


def documents_published_since(actor: Actor, since: datetime) -> QuerySet[Document]:
    """Documents the actor may open that were published after `since`, leaving out those they published
    themselves (their first version is theirs)."""
    own = DocumentVersion.objects.filter(document=OuterRef("pk"), number=1, uploaded_by=actor.user)
    documents = documents_visible_to(actor).filter(created_at__gt=since)
    if actor.user is not None:
        documents = documents.exclude(Exists(own))
    return documents.select_related("folder__client_org").order_by("-created_at", "-id")


def documents_matching(actor: Actor, query: str, *, limit: int) -> list[Document]:
    """The top bar's search: documents the actor may open whose title or description holds the words (whole
    words, through the full-text index), or whose title holds the text as typed (part of a word)."""
    search = SearchQuery(query, config="simple", search_type="websearch")
    documents = (
        documents_visible_to(actor)
        .annotate(search=SEARCH)
        .filter(Q(search=search) | Q(title__icontains=query))
        .select_related("folder__client_org")
        .order_by("-updated_at", "-id")
    )
    return list(documents[:limit])
