"""Documents join the capability registry and the event types."""

from django.utils.translation import gettext_lazy as _

from portal.access.capabilities import DefaultRole, register
from portal.activity import events

DOCUMENTS_VIEW = register(
    "documents.view",
    label=_("See and download the organisation's documents"),
    default_roles={DefaultRole.CLIENT_ADMIN, DefaultRole.FINANCE, DefaultRole.PROJECT_LEAD, DefaultRole.VIEWER},
    url_name="documents:list",
)
PUBLISHED = events.register("document.published", label=_("New documents"), capability="documents.view")
DELETED = events.register("document.deleted", label=_("Deleted documents"), capability="documents.view")
NEW_VERSION = events.register(
    "document.version_added", label=_("New versions of documents"), capability="documents.view"
)
