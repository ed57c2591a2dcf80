"""Documents join the capability registry, the event types, the visible targets and the commentables."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.access import visibility
from portal.access.capabilities import DefaultRole, register
from portal.access.visibility import Visibility
from portal.activity import events
from portal.conversations import registry

DOCUMENTS_VIEW = register(
    "documents.view",
    label=_("See and download the organisation's documents"),
    description=_("Browse the documents shared with their organisation, preview them and download every version."),
    default_roles={DefaultRole.CLIENT_ADMIN, DefaultRole.FINANCE, DefaultRole.PROJECT_LEAD, DefaultRole.VIEWER},
    url_name="documents:list",
)
# Seeing a document already takes documents.view (its visibility below), so these types need nothing more.
PUBLISHED = events.register("document.published", label=_("New documents"))
DELETED = events.register("document.deleted", label=_("Deleted documents"))
DOWNLOADED = events.register("document.downloaded", label=_("Downloads"), audit_only=True)
NEW_VERSION = events.register("document.version_added", label=_("New versions of documents"))


def document_visibility(document: Any) -> Visibility:
    """A document is seen by those who may see its organisation's documents; one in an internal folder by staff."""
    return Visibility(document.folder.client_org_id, DOCUMENTS_VIEW.code, document.folder.internal)


def _document_for(actor: Any, pk: int) -> Any:
    from portal.documents.selectors import document_get_for

    return document_get_for(actor, pk)


def register_targets() -> None:
    from portal.documents.models import Document

    visibility.register(
        Document,
        visibility=document_visibility,
        page=lambda pk, org_id: reverse("documents:detail", kwargs={"document_id": pk}),
    )
    registry.enable(Document, type_code="document", get_for=_document_for)
