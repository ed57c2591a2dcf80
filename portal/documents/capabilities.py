"""Documents join the capability registry and the event types."""

from django.utils.translation import gettext_lazy as _

from portal.access.capabilities import DefaultRole, register
from portal.activity import events
from portal.conversations import registry

DOCUMENTS_VIEW = register(
    "documents.view",
    label=_("See and download the organisation's documents"),
    default_roles={DefaultRole.CLIENT_ADMIN, DefaultRole.FINANCE, DefaultRole.PROJECT_LEAD, DefaultRole.VIEWER},
    url_name="documents:list",
)
PUBLISHED = events.register("document.published", label=_("New documents"), capability="documents.view")
DELETED = events.register("document.deleted", label=_("Deleted documents"), capability="documents.view")


def _document_for(actor: object, pk: int) -> object:
    from portal.documents.selectors import document_get_for

    return document_get_for(actor, pk)  # type: ignore[arg-type]


def enable_comments() -> None:
    from portal.documents.models import Document

    registry.enable(
        Document,
        type_code="document",
        org_of=lambda document: document.folder.client_org,
        get_for=_document_for,
        capability="documents.view",
        internal_of=lambda document: document.folder.internal,
    )


NEW_VERSION = events.register(
    "document.version_added", label=_("New versions of documents"), capability="documents.view"
)
