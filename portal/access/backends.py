"""The authentication backend: allauth's, loading the signed-in person with what makes them an actor.

Every portal request needs the user, their staff membership or their contact (with its organisation and role):
`get_user` reads them in one query (`select_related` over the one-to-one relations), and `policy.Actor` uses
what it finds instead of asking again. Nothing is cached across requests, so a deactivation or a role change
takes effect on the next request. On the root site (the public schema) the portal's tables do not exist, and
the user is read alone."""

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model
from django.db import connection
from django_tenants.utils import get_public_schema_name

# The actor's relations, as `policy.Actor` reads them.
ACTOR_RELATIONS = ("staff", "contact__client_org", "contact__role")


class PortalAuthenticationBackend(AuthenticationBackend):
    def get_user(self, user_id: Any) -> Any:
        users = get_user_model()._default_manager.all()
        if getattr(connection, "schema_name", None) != get_public_schema_name():
            users = users.select_related(*ACTOR_RELATIONS)
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
