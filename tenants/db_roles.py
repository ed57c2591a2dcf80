"""Two database roles: the **owner** owns the database, every schema, table, sequence and function, and runs
migrations, seeding, purges and this set-up (`MIGRATION_DATABASE_URL`); the **runtime** role that web and Celery
use (`DATABASE_URL`) is no superuser, owns nothing and holds only DML, granted through default privileges so that
tables made later (new tenant schemas included) are covered too. History tables are append-only by triggers,
which a role that does not own them cannot disable.

`apply_roles` is idempotent: it makes the owner own the database and everything in it (whoever owns it today,
a superuser included), grants the runtime role what it needs and sets the default privileges. It runs as the
owner, or as an administrative role that can act for both.
"""

from typing import Any
from urllib.parse import unquote, urlparse

import environ
from django.conf import settings
from django.db import connection, connections
from psycopg import sql

from tenants.template import TEMPLATE_SCHEMA

# The runtime role reads the template's stored DDL (provisioning reads it inside the owner's function), never
# writes it.
READ_ONLY_TABLES = ("tenants_schematemplate",)
SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "pg_toast")
# Reached only by the owner: the template schema's rows are copied into every new tenant schema.
PRIVATE_SCHEMAS = (TEMPLATE_SCHEMA,)


class RoleSetupError(RuntimeError):
    """The roles cannot be set up with the credentials given; the message says what to run instead."""


def owner_url() -> str:
    return str(getattr(settings, "MIGRATION_DATABASE_URL", "") or "")


def role_of(url: str) -> str:
    return unquote(urlparse(url).username or "")


CREDENTIALS = ("USER", "PASSWORD", "HOST", "PORT")


def credentials(url: str) -> dict[str, Any]:
    config: dict[str, Any] = environ.Env.db_url_config(url)
    return {key: config.get(key) or "" for key in CREDENTIALS}


def use_credentials(credentials: dict[str, Any]) -> None:
    """Connect `default` with these credentials from now on, in this process. The database name is kept, so a
    test database stays the test database."""
    default = connections["default"]
    default.close()
    for key in CREDENTIALS:
        default.settings_dict[key] = credentials[key]
        settings.DATABASES["default"][key] = credentials[key]


def current_credentials() -> dict[str, Any]:
    return {key: connections["default"].settings_dict.get(key) or "" for key in CREDENTIALS}


def use_owner_connection() -> None:
    """Make the `default` connection the owner's for the rest of this process: migrate, seed, purge and
    db_roles call this first (django-tenants migrates only through `default`, so there is no second alias). A
    no-op without MIGRATION_DATABASE_URL (a single-role database)."""
    if owner_url():
        use_credentials(credentials(owner_url()))


def current_role() -> tuple[str, bool]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
        name, superuser = cursor.fetchone()
    return str(name), bool(superuser)


def apply_roles(*, owner: str, runtime: str) -> list[str]:
    """Make `owner` own the current database and everything in it, and give `runtime` its DML. Idempotent.
    Returns the statements it ran, for the command's report."""
    if not owner or not runtime or owner == runtime:
        raise RoleSetupError("The owner and the runtime roles must be two different roles.")
    ran: list[str] = []
    with connection.cursor() as cursor:

        def run(statement: sql.Composable, params: list[Any] | None = None) -> None:
            cursor.execute(statement, params)
            ran.append(statement.as_string(cursor.connection))

        for role in (owner, runtime):
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
            found = cursor.fetchone()
            if found is None:
                raise RoleSetupError(f"Role {role!r} does not exist: create it first (CREATE ROLE … LOGIN).")
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [runtime])
        if cursor.fetchone()[0]:
            raise RoleSetupError(f"The runtime role {runtime!r} is a superuser: ALTER ROLE {runtime} NOSUPERUSER.")
        database = connection.settings_dict["NAME"]
        o, r = sql.Identifier(owner), sql.Identifier(runtime)
        run(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(sql.Identifier(database), o))
        run(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(sql.Identifier(database)))
        run(sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}").format(sql.Identifier(database), r))
        cursor.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname <> ALL(%s) AND nspname NOT LIKE 'pg_temp_%%' "
            "AND nspname NOT LIKE 'pg_toast_temp_%%' ORDER BY nspname",
            [list(SYSTEM_SCHEMAS)],
        )
        schemas = [name for (name,) in cursor.fetchall()]
        for schema in schemas:
            s = sql.Identifier(schema)
            run(sql.SQL("ALTER SCHEMA {} OWNER TO {}").format(s, o))
            run(sql.SQL("REVOKE CREATE ON SCHEMA {} FROM PUBLIC").format(s))
            _own_relations(cursor, run, schema, owner)
            if schema in PRIVATE_SCHEMAS:
                run(sql.SQL("REVOKE ALL ON SCHEMA {} FROM PUBLIC, {}").format(s, r))
                run(sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM {}").format(s, r))
                continue
            run(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(s, r))
            run(sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM {}").format(s, r))
            run(sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}").format(s, r))
            run(sql.SQL("GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {} TO {}").format(s, r))
            run(sql.SQL("GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA {} TO {}").format(s, r))
            for table in READ_ONLY_TABLES:
                cursor.execute("SELECT to_regclass(%s)", [f"{schema}.{table}"])
                if cursor.fetchone()[0] is not None:
                    run(sql.SQL("REVOKE INSERT, UPDATE, DELETE ON {}.{} FROM {}").format(s, sql.Identifier(table), r))
        # Whatever the owner creates later, in any schema (provisioning's new tenant schemas included).
        run(sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} GRANT USAGE ON SCHEMAS TO {}").format(o, r))
        run(
            sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {}").format(
                o, r
            )
        )
        run(sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {}").format(o, r))
        run(sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} GRANT EXECUTE ON FUNCTIONS TO {}").format(o, r))
    return ran


def _own_relations(cursor: Any, run: Any, schema: str, owner: str) -> None:
    """Hand every table, view, sequence and function of `schema` to the owner (REASSIGN OWNED cannot take them
    from the bootstrap superuser, so each is altered by name). Sequences owned by a column follow their table."""
    o, s = sql.Identifier(owner), sql.Identifier(schema)
    cursor.execute(
        "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "LEFT JOIN pg_depend d ON d.objid = c.oid AND d.deptype IN ('a', 'i') AND c.relkind = 'S' "
        "WHERE n.nspname = %s AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND d.objid IS NULL "
        "AND pg_get_userbyid(c.relowner) <> %s ORDER BY c.relname",
        [schema, owner],
    )
    kinds = {"r": "TABLE", "p": "TABLE", "f": "FOREIGN TABLE", "v": "VIEW", "m": "MATERIALIZED VIEW", "S": "SEQUENCE"}
    for name, kind in cursor.fetchall():
        run(sql.SQL("ALTER {} {}.{} OWNER TO {}").format(sql.SQL(kinds[kind]), s, sql.Identifier(name), o))
    cursor.execute(
        "SELECT p.proname, pg_get_function_identity_arguments(p.oid), p.prokind FROM pg_proc p "
        "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = %s AND pg_get_userbyid(p.proowner) <> %s",
        [schema, owner],
    )
    for name, arguments, kind in cursor.fetchall():
        keyword = sql.SQL("PROCEDURE" if kind == "p" else "FUNCTION")
        # The argument list is the catalog's own rendering of the function's signature.
        run(sql.SQL("ALTER {} {}.{}({}) OWNER TO {}").format(keyword, s, sql.Identifier(name), sql.SQL(arguments), o))
