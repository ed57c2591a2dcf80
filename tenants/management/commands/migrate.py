"""`migrate`: django-tenants' migrate_schemas (public, then every tenant), then the template schema, which
django-tenants never migrates, migrated and snapshotted for provisioning."""

from typing import Any

from django_tenants.management.commands.migrate_schemas import MigrateSchemasCommand

from tenants.db_roles import current_credentials, use_credentials, use_owner_connection
from tenants.template import refresh_template


class Command(MigrateSchemasCommand):
    def handle(self, *args: Any, **options: Any) -> None:
        # The owner owns what migrations create. A command-line run ends with the process; called from code
        # (tests), the caller's credentials come back afterwards.
        caller = current_credentials()
        use_owner_connection()
        try:
            self._migrate(*args, **options)
        finally:
            if current_credentials() != caller:
                use_credentials(caller)

    def _migrate(self, *args: Any, **options: Any) -> None:
        super().handle(*args, **options)
        migrating_everything = not options.get("schema_name") and not options.get("shared")
        if migrating_everything and not options.get("plan") and not options.get("check_unapplied"):
            verbosity = int(options.get("verbosity", 1))
            if verbosity:
                self.stdout.write("Refreshing the template schema for provisioning…")
            refresh_template(verbosity=max(verbosity - 1, 0))
