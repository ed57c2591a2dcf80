"""The retention purge of the history (the daily task of each tenant calls `purge_events`)."""

from collections.abc import Callable

from django.db import connection, transaction

# Other history kept by the same retention rule registers its purge here (download records: portal.documents).
RETENTION_PURGES: list[Callable[[], int]] = []


def purge_events() -> int:
    """The daily retention purge of the current tenant: `activity_purge()`, the owner's SECURITY DEFINER function
    (migration 0004), deletes the events older than the retention floor that migration fixed, with their
    deliveries and notifications (the only deletion the history's trigger allows), then every registered
    history purges the same way. Returns the number of events deleted."""
    with transaction.atomic():
        purged = call_purge_function("activity_purge")
        for purge in RETENTION_PURGES:
            purge()
    return purged


def call_purge_function(name: str) -> int:
    """Call a retention purge function of the current tenant's schema (named with the schema, as a migration
    made it) and return what it deleted."""
    schema = connection.ops.quote_name(connection.schema_name)  # type: ignore[attr-defined]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {schema}.{connection.ops.quote_name(name)}()")
        return int(cursor.fetchone()[0])
