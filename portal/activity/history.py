"""History in the past: the owner-only path (seeding the demo; tests that need SLA or turnaround figures).

The history's trigger (migration 0004) stamps every event written by the runtime role with the database clock;
only the table's owner may give an event a time of its own. `record_at` writes such an event, in the caller's
transaction, and refuses outright on a connection that does not own the table (the date would silently become
"now"). Past events are history, not news: nobody is notified of them.
"""

from datetime import datetime
from typing import Any

from django.db import connection, models

from accounts.models import User
from portal.activity.models import ActivityEvent
from portal.activity.services import new_event


class PastHistoryRefused(RuntimeError):
    """This connection's role does not own the history: run as the owner (MIGRATION_DATABASE_URL)."""


def owns(table: str) -> bool:
    """Does the connection's role own `table` (in the current schema's search path), as PostgreSQL's own test for
    ALTER has it (members of the owner role and superusers count)?"""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_catalog.pg_has_role(current_user, c.relowner, 'USAGE') FROM pg_catalog.pg_class c "
            "WHERE c.oid = pg_catalog.to_regclass(%s)",
            [table],
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def ensure_owner(*tables: str) -> None:
    for table in tables or (ActivityEvent._meta.db_table,):
        if not owns(table):
            raise PastHistoryRefused(
                f"Writing history in the past needs the owner of {table}: run as the owner role "
                "(MIGRATION_DATABASE_URL, `tenants.db_roles.use_owner_connection()`)."
            )


def record_at(
    when: datetime,
    *,
    actor: User | None,
    verb: str,
    target: models.Model,
    internal: bool = False,
    data: dict[str, Any] | None = None,
) -> ActivityEvent:
    """Record `verb` on `target` as it happened at `when`, with what seeing the target requires (as
    `portal.activity.services.record` does), never fanned out. Refused unless the connection owns the history."""
    event = new_event(user=actor, verb=verb, target=target, internal=internal, data=data)  # checks the type first
    ensure_owner()
    event.created_at = when
    event.save()
    return event
