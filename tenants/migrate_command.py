"""The `migrate` that django-tenants runs for each schema (setting TENANT_BASE_MIGRATE_COMMAND)."""

from typing import Any

from django.core.management.commands.migrate import Command as MigrateCommand

from tenants.schema_guard import suspend_guard


class TenantSchemaMigrateCommand(MigrateCommand):
    """Django's migrate with the fail-closed schema check suspended: the schema is being built."""

    def execute(self, *args: Any, **options: Any) -> str | None:
        with suspend_guard():
            return super().execute(*args, **options)
