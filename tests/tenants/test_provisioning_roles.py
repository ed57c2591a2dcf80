"""Provisioning under the runtime role: the owner's SECURITY DEFINER function `public.create_tenant_schema`
makes the schema inside the caller's transaction, the owner owns what it makes and the runtime role uses it; the
runtime role can neither write the template nor create or drop schemas itself.

The suite connects as the runtime role; the tests that are about that role check it first."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django_tenants.utils import schema_context

from accounts.models import User
from operators.services import tenant_provision
from tenants.models import SchemaTemplate, Tenant
from tenants.subdomains import schema_name_for, validate_subdomain
from tenants.template import SCHEMA_PLACEHOLDER, TEMPLATE_SCHEMA, create_schema_from_template
from tests.tenants.catalog import schema_exists
from tests.tenants.committed import committed, orphan_schemas

FUNCTION = "public.create_tenant_schema(text)"


def connected_role() -> tuple[str, bool, bool]:
    """The connection's role: its name, whether it is a superuser, whether it owns the database."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.rolname, r.rolsuper, d.datdba = r.oid FROM pg_roles r, pg_database d "
            "WHERE r.rolname = current_user AND d.datname = current_database()"
        )
        name, superuser, owns_database = cursor.fetchone()
    return name, superuser, owns_database


def assert_runtime_role() -> str:
    name, superuser, owns_database = connected_role()
    assert not superuser, f"the suite must connect as the runtime role, not the superuser {name!r}"
    assert not owns_database, f"the suite must connect as the runtime role, not the owner {name!r}"
    return name


@pytest.fixture
def runtime_role(db: None) -> str:
    return assert_runtime_role()


def function_owner() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_userbyid(proowner) FROM pg_proc WHERE oid = %s::regprocedure", [FUNCTION])
        return str(cursor.fetchone()[0])


def refused(statement: str, params: list[str] | None = None) -> str:
    """Run `statement` in a savepoint and return PostgreSQL's refusal (the test fails if it is not refused)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, params)
    except DatabaseError as error:
        return str(error)
    raise AssertionError(f"not refused: {statement}")


def provision(subdomain: str) -> Tenant:
    return tenant_provision(
        company_name="Roles Ltd",
        subdomain=subdomain,
        owner_name="Rita Owner",
        owner_email=f"owner@{subdomain}.test",
        owner_password="a-good-long-password",
    )


@pytest.mark.django_db
def test_the_function_is_the_owners_security_definer_with_a_pinned_search_path() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.prosecdef, p.proconfig, pg_get_userbyid(p.proowner) = pg_get_userbyid(d.datdba), "
            "has_function_privilege('public', p.oid, 'EXECUTE'), has_function_privilege(p.oid, 'EXECUTE'), "
            "pg_get_functiondef(p.oid) "
            "FROM pg_proc p, pg_database d WHERE p.oid = %s::regprocedure AND d.datname = current_database()",
            [FUNCTION],
        )
        definer, config, owned_by_database_owner, public_may_execute, may_execute, body = cursor.fetchone()

    assert definer
    assert "search_path=pg_catalog, pg_temp" in config
    assert owned_by_database_owner
    assert not public_may_execute
    assert may_execute
    # The SQL names the template and the placeholder literally: they must be this code's.
    assert f"FROM {TEMPLATE_SCHEMA}.%I" in body
    assert SCHEMA_PLACEHOLDER in body


@pytest.mark.django_db
def test_provisioning_as_the_runtime_role_makes_a_schema_the_owner_owns_and_the_runtime_role_uses(
    runtime_role: str,
) -> None:
    tenant = provision("roles-co")

    owner = function_owner()
    assert owner != runtime_role
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_userbyid(nspowner), has_schema_privilege(oid, 'USAGE'), has_schema_privilege(oid, "
            "'CREATE') FROM pg_namespace WHERE nspname = %s",
            [tenant.schema_name],
        )
        assert cursor.fetchone() == (owner, True, False)
        cursor.execute(
            "SELECT c.relname, c.relkind, pg_get_userbyid(c.relowner), "
            "CASE WHEN c.relkind = 'S' THEN has_sequence_privilege(c.oid, 'USAGE') "
            "ELSE has_table_privilege(c.oid, 'SELECT') AND has_table_privilege(c.oid, 'INSERT') "
            "AND has_table_privilege(c.oid, 'UPDATE') AND has_table_privilege(c.oid, 'DELETE') END, "
            "CASE WHEN c.relkind = 'S' THEN false "
            "ELSE has_table_privilege(c.oid, 'TRUNCATE') OR has_table_privilege(c.oid, 'TRIGGER') END "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind IN ('r', 'S', 'i')",
            [tenant.schema_name],
        )
        relations = cursor.fetchall()
        cursor.execute(
            "SELECT DISTINCT pg_get_userbyid(proowner) FROM pg_proc WHERE pronamespace = %s::regnamespace",
            [tenant.schema_name],
        )
        function_owners = {row[0] for row in cursor.fetchall()}
    assert len(relations) > 100
    assert {row[2] for row in relations} == {owner}
    assert function_owners <= {owner}
    tables_and_sequences = [row for row in relations if row[1] != "i"]
    assert [row[0] for row in tables_and_sequences if not row[3]] == []  # the runtime role's DML
    assert [row[0] for row in tables_and_sequences if row[4]] == []  # and nothing more

    with schema_context(tenant.schema_name):
        assert User.objects.get().email == "owner@roles-co.test"
        User.objects.create_user(email="second@roles-co.test", password="another-long-password")
        assert User.objects.filter(email="second@roles-co.test").update(is_active=False) == 1
        assert User.objects.count() == 2
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO django_content_type (app_label, model) VALUES ('probe', 'probe')")
            cursor.execute("SELECT count(*) FROM django_content_type WHERE app_label = 'probe'")
            assert cursor.fetchone() == (1,)


def test_a_failure_after_the_schema_step_leaves_no_schema(
    django_db_setup: None, django_db_blocker: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real transaction, not the test's: the schema is made by the owner's function and then the
    provisioning transaction rolls back."""
    import operators.services

    made = operators.services.create_tenant_schema
    seen: list[bool] = []

    def schema_then_failure(name: str) -> None:
        made(name)
        seen.append(schema_exists(name))
        raise RuntimeError("injected after the schema step")

    monkeypatch.setattr(operators.services, "create_tenant_schema", schema_then_failure)
    with committed(django_db_blocker, ("roles-doomed", "roles_doomed")):
        assert_runtime_role()
        with pytest.raises(RuntimeError, match="injected after the schema step"):
            provision("roles-doomed")

        assert seen == [True]
        assert not schema_exists("roles_doomed")
        assert not Tenant.objects.filter(slug="roles-doomed").exists()
        assert orphan_schemas() == set()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    [
        "public",
        "pg_x",
        "pg_toast",
        "pg_temp",
        "portico_template",
        "information_schema",
        "xn__abc",
        "a;drop",
        'a"; DROP SCHEMA demo CASCADE; --',
        "acme co",
        "Acme",
        "ACME",
        "acmé",
        "ab",  # too short
        "a" * 41,  # too long
        "_1" + "a" * 40,  # too long after the leading underscore
        "_abc",  # a leading underscore only before a digit
        "1abc",  # a digit needs the underscore
        "abc_",  # a subdomain never ends with a hyphen
        "",
    ],
)
def test_the_function_refuses_names_no_subdomain_gives(name: str) -> None:
    # Refused by the name check itself, before anything ran ("already exists" or a syntax error would not do).
    assert "cannot name a tenant schema" in refused("SELECT public.create_tenant_schema(%s)", [name])


@pytest.mark.django_db
def test_the_function_refuses_null() -> None:
    assert "cannot name a tenant schema" in refused("SELECT public.create_tenant_schema(NULL)")


@pytest.mark.django_db
@pytest.mark.parametrize("subdomain", ["abc", "a-b-c", "x--y", "1abc", "9" * 40, "z" * 40, "pgadmin", "xn-a"])
def test_the_function_accepts_every_schema_a_valid_subdomain_gives(subdomain: str) -> None:
    name = schema_name_for(validate_subdomain(subdomain))

    create_schema_from_template(name)

    assert schema_exists(name)


@pytest.mark.django_db
def test_a_temporary_table_cannot_stand_in_for_the_template() -> None:
    """The function reads `public.tenants_schematemplate` with its search_path pinned; a caller's temporary
    table of the same name, first on the caller's path, is never read."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE tenants_schematemplate (LIKE public.tenants_schematemplate)")
        cursor.execute(
            "INSERT INTO pg_temp.tenants_schematemplate (id, applied_migrations, ddl, data_tables, sequences, "
            "created_at) VALUES (1, '[]', %s, '[]', '[]', now())",
            [f"CREATE SCHEMA {SCHEMA_PLACEHOLDER}; CREATE SCHEMA hijacked;"],
        )
        cursor.execute("SET LOCAL search_path TO pg_temp, public")
        cursor.execute("SELECT public.create_tenant_schema('not_hijacked')")
        cursor.execute("SELECT count(*) FROM not_hijacked.django_migrations")
        assert cursor.fetchone()[0] > 50  # the real template's rows

    assert not schema_exists("hijacked")


@pytest.mark.django_db
def test_the_callers_session_settings_do_not_change_the_replay() -> None:
    """pg_dump's DDL expects standard strings and no early function-body checks; the function pins both."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL standard_conforming_strings = off")
        cursor.execute("SET LOCAL check_function_bodies = on")
        cursor.execute("SELECT public.create_tenant_schema('settings_probe')")
        cursor.execute("SHOW standard_conforming_strings")
        assert cursor.fetchone() == ("off",)  # the caller's own setting is back after the call

    assert schema_exists("settings_probe")


@pytest.mark.django_db
def test_the_runtime_role_cannot_write_the_template(runtime_role: str) -> None:
    assert SchemaTemplate.objects.count() == 1  # it may read the snapshot

    for statement in (
        "UPDATE public.tenants_schematemplate SET ddl = 'CREATE SCHEMA {{schema}}; CREATE SCHEMA evil;'",
        "DELETE FROM public.tenants_schematemplate",
        "TRUNCATE public.tenants_schematemplate",
        "INSERT INTO public.tenants_schematemplate (applied_migrations, ddl, data_tables, sequences, created_at) "
        "VALUES ('[]', '', '[]', '[]', now())",
        "ALTER TABLE public.tenants_schematemplate ADD COLUMN evil text",
        "CREATE OR REPLACE FUNCTION public.create_tenant_schema(name text) RETURNS void LANGUAGE sql AS ''",
    ):
        error = refused(statement)
        assert "permission denied" in error or "must be owner" in error, statement


@pytest.mark.django_db
def test_the_runtime_role_cannot_reach_the_template_schema(runtime_role: str) -> None:
    """The function copies the template schema's rows into every new schema, and needs no one else's access
    (it runs as the owner): the runtime role gets no USAGE on it (`refresh_template` revokes what default
    privileges gave; `db_roles` must not grant it)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT has_schema_privilege(%s, 'USAGE')", [TEMPLATE_SCHEMA])
        assert cursor.fetchone() == (False,)
    evil_row = f"INSERT INTO {TEMPLATE_SCHEMA}.django_content_type (app_label, model) VALUES ('evil', 'evil')"  # noqa: S608 - a constant
    assert "permission denied" in refused(evil_row)


@pytest.mark.django_db
def test_the_runtime_role_cannot_create_or_drop_schemas(runtime_role: str) -> None:
    assert "permission denied" in refused("CREATE SCHEMA rogue")
    for statement in (
        "DROP SCHEMA other CASCADE",
        "ALTER SCHEMA other RENAME TO renamed",
        "DROP TABLE other.django_migrations",
        "ALTER TABLE other.django_migrations ADD COLUMN evil text",
    ):
        assert "must be owner" in refused(statement), statement
    assert schema_exists("other")


@pytest.fixture
def no_template(owner_cursor: Any) -> Iterator[None]:
    """The snapshot, removed (committed) by the owner for one test and put back."""
    owner_cursor.execute("CREATE TEMPORARY TABLE saved_template AS SELECT * FROM public.tenants_schematemplate")
    owner_cursor.execute("DELETE FROM public.tenants_schematemplate")
    try:
        yield
    finally:
        owner_cursor.execute("INSERT INTO public.tenants_schematemplate SELECT * FROM saved_template")


@pytest.mark.django_db
def test_the_function_refuses_when_there_is_no_template(no_template: None) -> None:
    assert "no template schema snapshot" in refused("SELECT public.create_tenant_schema('no_template_yet')")
