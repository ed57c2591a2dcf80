from django.db.models import QuerySet

from portal.access.policy import Actor, NotFound
from portal.api.models import ApiKey


def keys_for(actor: Actor) -> QuerySet[ApiKey]:
    """Owners and admins see the portal's keys (never their secrets, which are not kept)."""
    if not actor.manages_portal:
        return ApiKey.objects.none()
    return ApiKey.objects.select_related("created_by").prefetch_related("clients")


def key_get_for(actor: Actor, key_id: int) -> ApiKey:
    found = keys_for(actor).filter(pk=key_id).first()
    if found is None:
        raise NotFound
    return found
