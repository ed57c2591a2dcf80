"""For tests that need real transaction boundaries (threads, failures, other processes): they work outside
the per-test transaction and remove what they made."""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from django.db import connection, connections

from tenants.db_backend.base import verified_schemas
from tenants.db_roles import current_credentials, use_credentials, use_owner_connection
from tenants.models import Tenant
from tenants.template import TEMPLATE_SCHEMA, quote


@contextmanager
def owner_connection() -> Iterator[None]:
    """The default connection as the owner role, then back to the role it had (the runtime role). Outside any
    transaction only: switching closes the connection."""
    runtime = current_credentials()
    use_owner_connection()
    try:
        yield
    finally:
        use_credentials(runtime)


def drop_schemas(*schemas: str) -> None:
    """Only the owner may drop a schema (the runtime role owns none)."""
    with owner_connection(), connection.cursor() as cursor:
        for schema in schemas:
            cursor.execute(f"DROP SCHEMA IF EXISTS {quote(schema)} CASCADE")
    for schema in schemas:
        verified_schemas.discard(schema)


def remove_tenant(slug: str, schema: str) -> None:
    drop_schemas(schema)
    Tenant.objects.filter(slug=slug).delete()


def orphan_schemas() -> set[str]:
    """Schemas that belong to no tenant (besides public, the template and PostgreSQL's own)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%%' "
            "AND nspname NOT IN ('public', 'information_schema', %s)",
            [TEMPLATE_SCHEMA],
        )
        schemas = {row[0] for row in cursor.fetchall()}
    return schemas - set(Tenant.objects.values_list("schema_name", flat=True))


@contextmanager
def committed(blocker: pytest.FixtureRequest, *cleanup: tuple[str, str]) -> Iterator[None]:
    with blocker.unblock():  # type: ignore[attr-defined]
        try:
            yield
        finally:
            connection.set_schema_to_public()  # type: ignore[attr-defined]
            for slug, schema in cleanup:
                remove_tenant(slug, schema)


def commit_now(blocker: pytest.FixtureRequest, work: Callable[[], object]) -> None:
    """Run `work` on a connection of its own and commit it, even while the test's transaction is open."""
    failures: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as error:  # handed to the caller below
            failures.append(error)
        finally:
            connections.close_all()

    with blocker.unblock():  # type: ignore[attr-defined]
        thread = threading.Thread(target=run)
        thread.start()
        thread.join(timeout=60)
    if failures:
        raise failures[0]
