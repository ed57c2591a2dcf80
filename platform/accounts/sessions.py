"""The session engine (`SESSION_ENGINE = "accounts.sessions"`): Django's database sessions, stored in
`accounts.UserSession`, whose rows carry their user.

Every save writes the user id from the session's own data, so a session can always be found, listed and ended by
its user, whatever rotated its key (sign-in, the second-factor step, a password change: each `cycle_key` saves the
data under a new key and deletes the old row). A separate record keyed by the session key falls out of step with
every rotation.

A session read from the database is kept in Redis with the write generations it was read at
(`tenants.generations`): the next request of the session reads it from there, in the round trip that checks the
generations, until anything in the portal is written. Ending a session deletes its row, a write, so an ended
session is never read from what was kept; its expiry is checked on every read.
"""

import hashlib
import ipaddress
from datetime import datetime
from typing import Any, cast

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connection
from django.utils import timezone

from accounts.models import UserSession
from tenants import generations

# Stored in the session's data at sign-in (`portal.access.signals.record_sign_in`), copied to the row on each save.
SIGNED_IN_FROM_IP = "_portico_ip"
SIGNED_IN_WITH = "_portico_user_agent"
SIGNED_IN_AT = "_portico_signed_in_at"


def sign_in_details(*, ip_address: str | None, user_agent: str) -> dict[str, Any]:
    """What a sign-in stores in its session, for the "your sessions" page. An address that is not one (a
    misconfigured proxy) is left out rather than break every later save of the session."""
    try:
        address = str(ipaddress.ip_address(ip_address or ""))
    except ValueError:
        address = None
    return {
        SIGNED_IN_FROM_IP: address,
        SIGNED_IN_WITH: user_agent[:300],
        SIGNED_IN_AT: timezone.now().isoformat(),
    }


def _user_id(data: dict[str, Any]) -> int | None:
    try:
        return int(data[SESSION_KEY])
    except (KeyError, TypeError, ValueError):
        return None


def _signed_in_at(data: dict[str, Any]) -> datetime:
    try:
        return datetime.fromisoformat(data[SIGNED_IN_AT])
    except (KeyError, TypeError, ValueError):
        return timezone.now()


class SessionStore(DatabaseSessionStore):
    @classmethod
    def get_model_class(cls) -> type[UserSession]:
        return UserSession

    def load(self) -> dict[str, Any]:
        lookup = None
        if self.session_key:
            digest = hashlib.sha256(self.session_key.encode()).hexdigest()
            lookup = generations.look_up(connection.schema_name, f"session:{digest}")  # type: ignore[attr-defined]
        if lookup is not None and lookup.value is not None:
            data, expires = lookup.value
            if expires > timezone.now():
                return cast(dict[str, Any], self.decode(data))
        session = cast(UserSession | None, self._get_session_from_db())  # type: ignore[attr-defined]
        if session is None:
            return {}
        if lookup is not None:
            lookup.keep((session.session_data, session.expire_date), settings.KEPT_SECONDS)
        return cast(dict[str, Any], self.decode(session.session_data))

    def create_model_instance(self, data: dict[str, Any]) -> UserSession:
        return self._with_user(cast(UserSession, super().create_model_instance(data)), data)

    async def acreate_model_instance(self, data: dict[str, Any]) -> UserSession:
        return self._with_user(cast(UserSession, await super().acreate_model_instance(data)), data)

    @staticmethod
    def _with_user(session: UserSession, data: dict[str, Any]) -> UserSession:
        session.user_id = _user_id(data)
        session.ip_address = data.get(SIGNED_IN_FROM_IP) or None
        session.user_agent = str(data.get(SIGNED_IN_WITH, ""))[:300]
        session.created_at = _signed_in_at(data)
        return session
