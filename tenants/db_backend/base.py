"""django-tenants' PostgreSQL backend, plus the fail-closed schema check of `tenants.schema_guard` and the write
generations of `tenants.generations`."""

import threading
from typing import Any

from django_tenants.postgresql_backend.base import DatabaseWrapper as TenantDatabaseWrapper
from django_tenants.utils import get_public_schema_name

from tenants import generations
from tenants.schema_guard import TenantSchemaIncompleteError, guard_suspended, missing_tables

# Schemas this process has verified. Tables are only removed by deliberate DDL, so one check per schema per
# process is enough; tests that break a schema on purpose clear the entry.
verified_schemas: set[str] = set()
_lock = threading.Lock()


class DatabaseWrapper(TenantDatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.execute_wrappers.append(self._note_writes)

    def _note_writes(self, execute: Any, sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        result = execute(sql, params, many, context)
        text = sql if isinstance(sql, str) else sql.as_string(self.connection)  # psycopg's composed statements
        if generations.is_write(text):
            generations.record_write(self, self.schema_name)
        return result

    def _cursor(self, name: str | None = None) -> Any:
        cursor = super()._cursor(name=name)
        schema = self.schema_name
        if (
            schema not in verified_schemas
            and self.include_public_schema
            and schema != get_public_schema_name()
            and not self._setting_search_path
            and not guard_suspended()
        ):
            self._verify_schema(schema)
        return cursor

    def _verify_schema(self, schema: str) -> None:
        self._setting_search_path = True  # the check's own cursor must not re-enter this one
        try:
            with self.connection.cursor() as raw_cursor:
                missing = missing_tables(raw_cursor, schema)
        finally:
            self._setting_search_path = False
        if missing:
            raise TenantSchemaIncompleteError(schema, missing)
        with _lock:
            verified_schemas.add(schema)
