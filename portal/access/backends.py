"""The authentication backend: allauth's, loading the signed-in person with what makes them an actor.

Every portal request needs the user, their staff membership or their contact (with its organisation and role):
`get_user` reads them in one query (`select_related` over the one-to-one relations), and `policy.Actor` uses
what it finds instead of asking again. On the root site (the public schema) the portal's tables do not exist, and
the user is read alone.

What is read is kept in Redis with the write generations it was read at (`tenants.generations`) and used again
only while nothing in the portal or the public rows has been written since: a deactivation, a role change or a
password change is a write, so each takes effect on the next request."""

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django_tenants.utils import get_public_schema_name

from tenants import generations

# The actor's relations, as `policy.Actor` reads them.
ACTOR_RELATIONS = ("staff", "contact__client_org", "contact__role")


class PortalAuthenticationBackend(AuthenticationBackend):
    def get_user(self, user_id: Any) -> Any:
        schema = connection.schema_name  # type: ignore[attr-defined]
        lookup = generations.look_up(schema, f"user:{user_id}")
        user = lookup.value if lookup is not None else None
        if user is None:
            users = get_user_model()._default_manager.all()
            if schema != get_public_schema_name():
                users = users.select_related(*ACTOR_RELATIONS)
            user = users.filter(pk=user_id).first()
            if user is not None and lookup is not None:
                lookup.keep(user, settings.KEPT_SECONDS)
        return user if user is not None and self.user_can_authenticate(user) else None
