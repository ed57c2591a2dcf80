"""New tenant schemas are made from a template schema, never by running migrations per signup.

`migrate` keeps the template current: it migrates the template schema like any tenant's, then snapshots it
(`refresh_template`): its DDL from `pg_dump --schema-only`, the tables that hold rows (the `django_migrations`
rows, content types, permissions and whatever data migrations seeded) and its sequences, all stored in
`SchemaTemplate` together with the migrations it reflects. Making a schema
(`create_schema_from_template`) replays that DDL under the new name and copies those rows, inside the caller's
transaction: its cost does not grow with the number of schemas (django-tenants' `clone_schema` scans the
catalogs, and its clone path always runs `migrate --fake` afterwards).

The replay is the database function `public.create_tenant_schema(name)` (migration tenants 0006): the runtime
role that web and Celery use may not create schemas nor write the snapshot, so the function, owned by the owner
role and SECURITY DEFINER, checks the name, reads the snapshot itself and creates the schema owned by the owner,
in the caller's transaction. When the snapshot is missing or does not match the code's migrations, provisioning
refuses and asks for `manage.py migrate` (the runtime role could not run migrations in a new schema).
"""

import logging
import os
import re
import shutil
import subprocess
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader

from tenants.models import SchemaTemplate

logger = logging.getLogger(__name__)

TEMPLATE_SCHEMA = "portico_template"
SCHEMA_PLACEHOLDER = "{{schema}}"


class TemplateError(RuntimeError):
    """The template schema cannot be snapshotted (pg_dump missing or failing)."""


class StaleTemplateError(TemplateError):
    """No snapshot of the template schema matches the code's migrations: `manage.py migrate` has not run."""


def quote(identifier: str) -> str:
    return connection.ops.quote_name(identifier)


@cache
def code_migrations() -> frozenset[str]:
    """Every migration of the code on disk, as "app.name" (a squashed migration counts as itself: once the
    migrations it replaces are applied, `migrate` records it too)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return names_of(loader.graph.nodes.keys())


def names_of(migrations: Iterable[tuple[str, str]]) -> frozenset[str]:
    return frozenset(f"{app}.{name}" for app, name in migrations)


def migrate_schema(name: str, verbosity: int = 0) -> None:
    """Create the schema if needed and run the tenant migrations in it."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {quote(name)}")
    call_command("migrate_schemas", schema_name=name, tenant=True, interactive=False, verbosity=verbosity)


def pg_dump_binary() -> str:
    configured = os.environ.get("PG_DUMP")
    if configured:
        return configured
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_dump"), key=lambda p: int(p.parts[-3]))
    found = str(versions[-1]) if versions else shutil.which("pg_dump")
    if not found:
        raise TemplateError("pg_dump is not installed (Debian: postgresql-client); set PG_DUMP to its path.")
    return found


def dump_schema_ddl(schema: str) -> str:
    db = connection.settings_dict
    command = [
        pg_dump_binary(), "--schema-only", "--no-owner", "--no-privileges", "--no-comments",
        f"--schema={schema}", "--host", str(db["HOST"] or "localhost"), "--port", str(db["PORT"] or 5432),
        "--username", str(db["USER"]), str(db["NAME"]),
    ]  # fmt: skip
    env = {**os.environ, "PGPASSWORD": str(db.get("PASSWORD") or "")}
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)  # noqa: S603
    if result.returncode != 0:
        raise TemplateError(f"pg_dump failed: {result.stderr.strip()}")
    return result.stdout


SESSION_LINE = re.compile(r"^(SET |SELECT pg_catalog\.set_config|\\|--)")


def ddl_recipe(dump: str, schema: str) -> str:
    """pg_dump's output as plain DDL with the schema name as a placeholder: session settings, comments and
    psql meta-commands removed. Names in a pg_dump are schema-qualified, `schema.` is all there is to swap."""
    lines = [line for line in dump.splitlines() if line.strip() and not SESSION_LINE.match(line)]
    ddl = "\n".join(lines)
    ddl = ddl.replace(f"CREATE SCHEMA {schema};", f"CREATE SCHEMA {SCHEMA_PLACEHOLDER};")
    return re.sub(rf"(?<![\w\"]){re.escape(schema)}\.", f"{SCHEMA_PLACEHOLDER}.", ddl)


def keep_template_private() -> None:
    """Only the template schema's owner may reach it. Its rows are copied into every new schema (by the owner's
    function, which needs no one else's access), so the runtime role must not write them; the default
    privileges `db_roles` sets would give it USAGE on the schema and DML on every table migrations add."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT a.grantee FROM pg_namespace n, aclexplode(n.nspacl) a "
            "WHERE n.nspname = %s AND a.grantee <> n.nspowner",
            [TEMPLATE_SCHEMA],
        )
        grantees = [grantee for (grantee,) in cursor.fetchall()]
        for grantee in grantees:
            if grantee == 0:
                role = "PUBLIC"
            else:
                cursor.execute("SELECT quote_ident(rolname) FROM pg_roles WHERE oid = %s", [grantee])
                role = cursor.fetchone()[0]
            cursor.execute(f"REVOKE ALL ON SCHEMA {quote(TEMPLATE_SCHEMA)} FROM {role}")


def refresh_template(verbosity: int = 0) -> None:
    """Migrate the template schema and snapshot it. Run by `migrate` after the tenants are migrated."""
    migrate_schema(TEMPLATE_SCHEMA, verbosity=verbosity)
    keep_template_private()
    ddl = ddl_recipe(dump_schema_ddl(TEMPLATE_SCHEMA), TEMPLATE_SCHEMA)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind IN ('r', 'S') ORDER BY c.relname",
            [TEMPLATE_SCHEMA],
        )
        relations = cursor.fetchall()
        data_tables = []
        for name, kind in relations:
            if kind == "r":
                cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {quote(TEMPLATE_SCHEMA)}.{quote(name)})")
                if cursor.fetchone()[0]:
                    data_tables.append(name)
        sequences = [name for name, kind in relations if kind == "S"]
        cursor.execute(f"SELECT app, name FROM {quote(TEMPLATE_SCHEMA)}.django_migrations")
        applied = names_of(cursor.fetchall())
    with transaction.atomic():  # provisioning never finds no snapshot, or two
        SchemaTemplate.objects.all().delete()
        SchemaTemplate.objects.create(
            applied_migrations=sorted(applied), ddl=ddl, data_tables=data_tables, sequences=sequences
        )
    if not reflects_code(applied):
        logger.warning("The template schema does not match the migrations on disk; provisioning will refuse.")


def current_template() -> SchemaTemplate | None:
    """The snapshot (without its DDL), when every migration of the code was applied to the template."""
    template = SchemaTemplate.objects.defer("ddl").first()
    if template is None or not reflects_code(template.applied_migrations):
        return None
    return template


def reflects_code(applied_migrations: Iterable[str]) -> bool:
    """Every migration of the code is recorded in the template (true after `squashmigrations` too: once the
    migrations a squashed one replaces are applied, `migrate` records the squashed one as well)."""
    return code_migrations() <= set(applied_migrations)


def create_schema_from_template(name: str) -> None:
    """Make schema `name` from the snapshot: DDL, then rows, then sequence positions, through the owner's
    function `public.create_tenant_schema`, which reads the snapshot itself. Inside the caller's transaction: a
    rollback leaves no schema."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT public.create_tenant_schema(%s)", [name])


def create_tenant_schema(name: str) -> None:
    """Make the schema of a new tenant from the template; refuses when the snapshot does not match the code."""
    if current_template() is None:
        raise StaleTemplateError(
            "The template schema is missing or older than this code's migrations, so new portals cannot be "
            "made: run `manage.py migrate` (with the owner's MIGRATION_DATABASE_URL), which migrates and "
            "snapshots the template."
        )
    create_schema_from_template(name)
