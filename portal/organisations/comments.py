"""Client organisations take comments (one line; see portal.conversations.registry)."""

from portal.access.policy import client_org_get_for
from portal.clients.models import ClientOrg
from portal.conversations import registry

registry.enable(
    ClientOrg,
    type_code="client",
    get_for=lambda actor, pk: client_org_get_for(
        actor, pk, capability="organisation.view", include_archived=actor.is_staff
    ),
)
