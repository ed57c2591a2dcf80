"""A tenant-context query never falls through to the public copy of a table installed on both sides."""

import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import User
from tenants.checks import tenant_schemas_complete
from tenants.db_backend import base as tenant_backend
from tenants.schema_guard import TenantSchemaIncompleteError, dual_installed_tables
from tests.accounts.factories import UserFactory
from tests.conftest import OTHER_HOST, OTHER_SCHEMA
from tests.support import processes

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_without_its_user_table(other: object, owner_cursor: Any) -> Iterator[None]:
    """Rename the `other` schema's user table (as the owner: only it may), with a public user whose row a
    fall-through would return; renamed back afterwards."""
    with schema_context("public"):
        UserFactory(email="operator@portico.test")
    owner_cursor.execute("SET lock_timeout = '10s'")
    owner_cursor.execute(f'ALTER TABLE "{OTHER_SCHEMA}".accounts_user RENAME TO accounts_user_moved')
    tenant_backend.verified_schemas.discard(OTHER_SCHEMA)
    try:
        yield
    finally:
        owner_cursor.execute(f'ALTER TABLE "{OTHER_SCHEMA}".accounts_user_moved RENAME TO accounts_user')
        tenant_backend.verified_schemas.discard(OTHER_SCHEMA)


def test_the_guard_covers_the_tables_of_apps_installed_on_both_sides() -> None:
    tables = dual_installed_tables()

    assert {"accounts_user", "django_session", "account_emailaddress", "mfa_authenticator"} <= tables
    assert "tenants_tenant" not in tables


def test_a_tenant_missing_its_user_table_gets_an_error_instead_of_public_rows(
    other_without_its_user_table: None,
) -> None:
    with schema_context(OTHER_SCHEMA), pytest.raises(TenantSchemaIncompleteError, match="accounts_user"):
        list(User.objects.values_list("email", flat=True))


def test_a_request_to_a_tenant_missing_its_user_table_fails_instead_of_reading_public(
    other_without_its_user_table: None,
) -> None:
    client = Client(raise_request_exception=True)
    with pytest.raises(TenantSchemaIncompleteError):
        client.post(
            "/accounts/login/",
            {"login": "operator@portico.test", "password": "correct-horse-battery"},
            headers={"host": OTHER_HOST},
        )


def test_the_database_check_reports_the_incomplete_schema(other_without_its_user_table: None) -> None:
    errors = tenant_schemas_complete(databases=["default"])

    assert [error.id for error in errors] == ["tenants.E001"]
    assert "other" in errors[0].msg
    assert "accounts_user" in errors[0].msg
    with pytest.raises(SystemCheckError):
        call_command("check", databases=["default"])


def test_complete_schemas_pass_the_check() -> None:
    assert tenant_schemas_complete(databases=["default"]) == []


def test_the_database_check_leaves_the_connection_on_its_schema() -> None:
    """`migrate` runs system checks while the connection is set to the schema it migrates."""
    with schema_context("demo"):
        tenant_schemas_complete(databases=["default"])

        assert connection.schema_name == "demo"  # type: ignore[attr-defined]


def test_manage_py_migrate_reaches_every_tenant_schema(demo: object, owner_cursor: Any) -> None:
    """The command-line `migrate` (checks on, as the owner) records its work in the tenant's schema, not in
    public."""
    [(app, name)] = [node for node in MigrationLoader(None).graph.leaf_nodes() if node[0] == "billing"]
    recorded = "SELECT count(*) FROM demo.django_migrations WHERE app = %s AND name = %s"
    owner_cursor.execute("DELETE FROM demo.django_migrations WHERE app = %s AND name = %s", [app, name])

    result = subprocess.run(
        [processes.venv_bin("python"), "manage.py", "migrate", "--schema", "demo", "--tenant", "--noinput", "-v", "0"],
        cwd=processes.ROOT, env=processes.test_environment(), capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip

    owner_cursor.execute(recorded, [app, name])
    assert owner_cursor.fetchone()[0] == 1, result.stdout + result.stderr
