"""`db_roles`: set up the owner and runtime roles (see `tenants.db_roles`). Idempotent.

Runs with DATABASE_ADMIN_URL when set (a role that may create roles and take objects from their current owner,
e.g. the server's superuser or the RDS master user), otherwise with MIGRATION_DATABASE_URL (the owner itself).
The roles are named by the user names of MIGRATION_DATABASE_URL (owner) and DATABASE_URL (runtime); missing
roles are created with the passwords those URLs carry, when the connection may create roles.
"""

import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from psycopg import sql

from tenants.db_roles import RoleSetupError, apply_roles, credentials, owner_url, role_of, use_credentials


class Command(BaseCommand):
    help = "Make the owner role own the database and everything in it, and give the runtime role its DML."

    def handle(self, *args: Any, **options: Any) -> None:
        owner_address = owner_url()
        runtime_address = os.environ.get("DATABASE_URL", "")
        if not owner_address or not runtime_address:
            raise CommandError("Set DATABASE_URL (the runtime role) and MIGRATION_DATABASE_URL (the owner role).")
        owner, runtime = role_of(owner_address), role_of(runtime_address)
        admin = os.environ.get("DATABASE_ADMIN_URL") or owner_address
        use_credentials(credentials(admin))
        try:
            for role, address, extra in ((owner, owner_address, "CREATEDB"), (runtime, runtime_address, "")):
                self._ensure_role(role, credentials(address)["PASSWORD"], extra)
            statements = apply_roles(owner=owner, runtime=runtime)
        except RoleSetupError as error:
            raise CommandError(str(error)) from None
        database = settings.DATABASES["default"]["NAME"]
        self.stdout.write(
            self.style.SUCCESS(
                f"Database {database}: owned by {owner}; {runtime} has DML only ({len(statements)} statements)."
            )
        )

    def _ensure_role(self, role: str, password: str, extra: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone():
                return
            cursor.execute("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")
            if not cursor.fetchone()[0]:
                raise CommandError(
                    f"Role {role!r} does not exist and this connection may not create it. As an administrator, "
                    f"run: CREATE ROLE {role} LOGIN {extra} PASSWORD '…'; then run db_roles again."
                )
            statement = sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER " + extra + " PASSWORD {}").format(
                sql.Identifier(role), sql.Literal(password)
            )
            cursor.execute(statement)
            self.stdout.write(f"Created role {role}.")
