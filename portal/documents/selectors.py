"""Reading documents for a person, through `portal.access`: internal folders are staff-only."""

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db.models import F, QuerySet

from portal.access.policy import Actor, NotFound, may, may_see
from portal.clients.models import ClientOrg
from portal.documents.capabilities import document_visibility
from portal.documents.models import Document, DocumentVersion, Folder

SEARCH = SearchVector("title", "description", config="simple")


def folders_for(actor: Actor, org: ClientOrg) -> QuerySet[Folder]:
    if not may(actor, "documents.view", org):
        return Folder.objects.none()
    folders = Folder.objects.filter(client_org=org)
    return folders if actor.is_staff else folders.filter(internal=False)


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


def version_get_for(actor: Actor, version_id: int) -> DocumentVersion:
    version = DocumentVersion.objects.select_related("document__folder").filter(pk=version_id).first()
    if version is None:
        raise NotFound
    document_get_for(actor, version.document_id)
    return version
