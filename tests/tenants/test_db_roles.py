"""Two database roles: the suite itself runs as the runtime role (what web and Celery use), which is no superuser,
owns nothing and holds DML only; `db_roles` converts a database that a superuser laid out (as every database
made before the roles was) and changes nothing when run again."""

import os
import subprocess
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse, urlunparse

import psycopg
import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from psycopg import sql

from tenants.db_roles import owner_url, role_of
from tests.support.processes import ROOT, venv_bin

pytestmark = pytest.mark.django_db
SYSTEM = ("pg_catalog", "information_schema", "pg_toast")


def runtime_role() -> str:
    return str(connection.settings_dict["USER"])


def test_the_suite_runs_as_a_runtime_role_that_is_no_superuser_and_owns_nothing() -> None:
    assert owner_url(), "make sets MIGRATION_DATABASE_URL: the owner role must be configured"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user"
        )
        user, superuser, create_role, create_db = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user) AND n.nspname <> ALL(%s)",
            [list(SYSTEM)],
        )
        owned = cursor.fetchone()[0]
        cursor.execute("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()")
        database_owner = cursor.fetchone()[0]
    assert (user, superuser, create_role, create_db, owned) == (runtime_role(), False, False, False, 0)
    assert database_owner == role_of(owner_url())
    assert role_of(os.environ["DATABASE_URL"]) == user  # what web and Celery get from `make run`
    assert user != database_owner


@pytest.mark.parametrize(
    "statement",
    [
        "TRUNCATE demo.clients_clientorg",
        "CREATE TABLE demo.intruder (id int)",
        "ALTER TABLE demo.activity_activityevent DISABLE TRIGGER USER",
        "DROP TABLE demo.activity_activityevent",
        "SET session_replication_role = replica",
        "UPDATE public.tenants_schematemplate SET ddl = ''",
        "DELETE FROM public.tenants_schematemplate",
        "CREATE SCHEMA intruder",
        "DROP SCHEMA demo CASCADE",
    ],
)
def test_the_runtime_role_is_refused_what_only_the_owner_may_do(statement: str) -> None:
    refused = r"permission denied|must be owner"
    with pytest.raises(DatabaseError, match=refused), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)


def test_the_runtime_role_reads_and_writes_tenant_rows() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM demo.clients_clientorg")
        assert cursor.fetchone()[0] > 0
        cursor.execute("UPDATE demo.clients_clientorg SET notes = notes WHERE false")


def with_database(url: str, name: str, user: str | None = None, password: str | None = None) -> str:
    parsed = urlparse(url)
    if user is not None:
        netloc = (
            f"{user}:{password}@{parsed.hostname}:{parsed.port}"
            if password
            else f"{user}@{parsed.hostname}:{parsed.port}"
        )
        parsed = parsed._replace(netloc=netloc)
    return urlunparse(parsed._replace(path=f"/{name}"))


@pytest.fixture
def scratch() -> Iterator[tuple[str, str]]:
    """A database of its own, made and dropped by the administrator: (its name, the administrator's URL)."""
    admin = os.environ.get("DATABASE_ADMIN_URL", "")
    if not admin:
        pytest.fail("make sets DATABASE_ADMIN_URL (the server's administrator) for the role set-up")
    name = f"{connection.settings_dict['NAME']}_roles"
    maintenance = with_database(admin, "postgres")
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield name, admin
    finally:
        with psycopg.connect(maintenance, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def manage(*args: str, env: dict[str, str]) -> None:
    # Settings also read .var/services.env, without overriding the environment: every URL is given here.
    base = {k: v for k, v in os.environ.items() if k not in ("MIGRATION_DATABASE_URL", "DATABASE_ADMIN_URL")}
    command = [venv_bin("python"), "manage.py", *args]
    result = subprocess.run(
        command, cwd=ROOT, env={**base, "DJANGO_SETTINGS_MODULE": "config.settings.dev", **env},
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def catalog(url: str) -> dict[str, Any]:
    """Who owns what, and every privilege, in the non-system schemas (and the database itself)."""
    with psycopg.connect(url) as conn:
        relations = conn.execute(
            "SELECT n.nspname || '.' || c.relname, pg_get_userbyid(c.relowner), c.relacl::text FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname <> ALL(%s) AND n.nspname NOT LIKE 'pg_%%' "
            "AND c.relkind IN ('r', 'p', 'v', 'm', 'S') ORDER BY 1",
            [list(SYSTEM)],
        ).fetchall()
        functions = conn.execute(
            "SELECT p.oid::regprocedure::text, pg_get_userbyid(p.proowner) FROM pg_proc p JOIN pg_namespace n "
            "ON n.oid = p.pronamespace WHERE n.nspname <> ALL(%s) AND n.nspname NOT LIKE 'pg_%%' ORDER BY 1",
            [list(SYSTEM)],
        ).fetchall()
        schemas = conn.execute(
            "SELECT nspname, pg_get_userbyid(nspowner), nspacl::text FROM pg_namespace "
            "WHERE nspname <> ALL(%s) AND nspname NOT LIKE 'pg_%%' ORDER BY 1",
            [list(SYSTEM)],
        ).fetchall()
        database = conn.execute(
            "SELECT pg_get_userbyid(datdba), datacl::text FROM pg_database WHERE datname = current_database()"
        ).fetchone()
        defaults = conn.execute(
            "SELECT defaclrole::regrole::text, defaclobjtype, defaclacl::text FROM pg_default_acl ORDER BY 1, 2"
        ).fetchall()
    return {
        "relations": relations,
        "functions": functions,
        "schemas": schemas,
        "database": database,
        "defaults": defaults,
    }


def test_db_roles_converts_a_database_a_superuser_laid_out_and_changes_nothing_the_second_time(
    scratch: tuple[str, str],
) -> None:
    name, admin = scratch
    owner, runtime = role_of(owner_url()), runtime_role()
    as_superuser = with_database(admin, name)
    manage("migrate", "--noinput", env={"DATABASE_URL": as_superuser, "MIGRATION_DATABASE_URL": as_superuser})
    before = catalog(with_database(admin, name))
    assert {row[1] for row in before["relations"]} == {role_of(admin)}

    roles_env = {
        "DATABASE_URL": with_database(os.environ["DATABASE_URL"], name),
        "MIGRATION_DATABASE_URL": with_database(owner_url(), name),
        "DATABASE_ADMIN_URL": with_database(admin, name),
    }
    manage("db_roles", env=roles_env)
    converted = catalog(with_database(admin, name))
    manage("db_roles", env=roles_env)
    again = catalog(with_database(admin, name))

    assert {row[1] for row in converted["relations"]} == {owner}
    assert {row[1] for row in converted["functions"]} == {owner}
    assert {row[1] for row in converted["schemas"]} == {owner}
    assert converted["database"][0] == owner
    assert again == converted
    with psycopg.connect(with_database(os.environ["DATABASE_URL"], name), autocommit=True) as conn:
        conn.execute("SELECT count(*) FROM public.django_migrations").fetchone()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("TRUNCATE public.django_migrations")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # the template is the owner's alone
            conn.execute("SELECT count(*) FROM portico_template.django_migrations")
    acls = {relation: acl for relation, _owner, acl in converted["relations"]}
    assert f"{runtime}=arwd/" in acls["public.django_migrations"]
