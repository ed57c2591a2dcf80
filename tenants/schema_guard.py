"""Fail-closed tenancy for apps installed in both the public and the tenant schemas.

django-tenants sets `search_path` to `<tenant>, public`. Apps installed on both sides (accounts, sessions,
allauth, ...) have tables of the same name in both schemas, so a tenant whose copy of such a table is missing
would silently read the public copy: another population's users and sessions. Every process therefore checks,
the first time a connection works in a tenant schema with `public` on its path, that the schema holds its own
copy of every such table, and raises instead of falling through. Migrations run without `public` on the path
and are not affected. `manage.py check --database default` runs the same check over every schema.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache

from django.apps import apps
from django.conf import settings


class TenantSchemaIncompleteError(RuntimeError):
    """A tenant schema lacks a table that also exists in `public`; queries would fall through to it."""

    def __init__(self, schema_name: str, missing: Iterable[str]) -> None:
        self.schema_name = schema_name
        self.missing = sorted(missing)
        super().__init__(
            f"Schema {schema_name!r} has no table {', '.join(self.missing)}: refusing to fall through to the "
            "public copy. Run `manage.py migrate` (or re-provision the schema)."
        )


@cache
def dual_installed_tables() -> frozenset[str]:
    """Tables of the models whose app is installed both in the public schema and in tenant schemas."""
    dual_names = set(settings.SHARED_APPS) & set(settings.TENANT_APPS)
    dual_labels = {config.label for config in apps.get_app_configs() if config.name in dual_names}
    return frozenset(
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in dual_labels and model._meta.managed and not model._meta.proxy
    )


MISSING_TABLES_SQL = """
    SELECT expected.name
    FROM unnest(%s::text[]) AS expected(name)
    WHERE NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_tables t WHERE t.schemaname = %s AND t.tablename = expected.name
    )
"""


def missing_tables(cursor: object, schema_name: str) -> list[str]:
    cursor.execute(MISSING_TABLES_SQL, [sorted(dual_installed_tables()), schema_name])  # type: ignore[attr-defined]
    return [row[0] for row in cursor.fetchall()]  # type: ignore[attr-defined]


_suspended: ContextVar[bool] = ContextVar("tenant_schema_guard_suspended", default=False)


def guard_suspended() -> bool:
    return _suspended.get()


@contextmanager
def suspend_guard() -> Iterator[None]:
    """Switch the check off while a schema is being built by migrations (its tables do not exist yet)."""
    token = _suspended.set(True)
    try:
        yield
    finally:
        _suspended.reset(token)
