"""Each schema's write generation (`tenants.generations`) moves after every committed write to it, seen by the
database backend on every statement, and not after a read or a rolled-back write."""

import pytest
from django.db import connection, transaction
from django_tenants.utils import schema_context

from tenants import generations
from tenants.generations import is_write
from tests.support.generations import settle

pytestmark = pytest.mark.django_db


@pytest.fixture
def settled() -> None:
    """The test starts with no write pending on its connection."""
    settle()


@pytest.mark.parametrize(
    ("sql", "writes"),
    [
        ('SELECT "x" FROM "t"', False),
        ("  select 1", False),
        ("SET search_path = demo,public", False),
        ('SAVEPOINT "s1"', False),
        ('RELEASE SAVEPOINT "s1"', False),
        ('ROLLBACK TO SAVEPOINT "s1"', False),
        ("(SELECT 1) UNION (SELECT 2)", False),
        ('INSERT INTO "t" ("x") VALUES (1)', True),
        ('UPDATE "t" SET "x" = 2', True),
        ('DELETE FROM "t"', True),
        ("WITH gone AS (DELETE FROM t RETURNING id) SELECT count(*) FROM gone", True),
        ('TRUNCATE "t"', True),
        ("", False),
    ],
)
def test_statements_other_than_reads_count_as_writes(sql: str, writes: bool) -> None:
    assert is_write(sql) is writes


def test_a_committed_write_moves_the_schema_generation_and_a_read_does_not(settled: None) -> None:
    before = generations.current("demo")
    with schema_context("demo"):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM clients_clientorg")
        assert generations.current("demo") == before
        assert not generations.written_uncommitted(connection, "demo")

        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("UPDATE clients_clientorg SET name = name")
            assert generations.written_uncommitted(connection, "demo")
            assert generations.current("demo") == before, "moved before the commit: others would keep stale pages"
            pending = generations.waiting(connection)
            assert len(pending) == 1
            with connection.cursor() as cursor:
                cursor.execute("UPDATE clients_clientorg SET name = name")
            assert generations.waiting(connection) == pending, "once"
        pending[0]()  # the test's own transaction never commits: run what the commit would

    assert generations.current("demo") != before
    assert not generations.written_uncommitted(connection, "demo")


def test_a_rolled_back_savepoint_forgets_its_write(settled: None) -> None:
    before = generations.current("demo")
    with schema_context("demo"), transaction.atomic():
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("UPDATE clients_clientorg SET name = name")
                assert generations.written_uncommitted(connection, "demo")
                raise RuntimeError("undo")
        except RuntimeError:
            pass
        assert not generations.written_uncommitted(connection, "demo")
    assert generations.current("demo") == before


def test_writes_are_counted_against_the_schema_the_connection_works_in(settled: None) -> None:
    with schema_context("public"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE tenants_tenant SET name = name WHERE schema_name = 'demo'")
        assert generations.written_uncommitted(connection, "public")
        assert not generations.written_uncommitted(connection, "demo")


def test_a_lost_token_comes_back_as_a_new_one_never_an_old_one(settled: None) -> None:
    old = generations.current("demo")
    generations.advance("demo")
    new = generations.current("demo")
    generations.caches[generations.CACHE_ALIAS].delete("write-generation:demo")
    assert generations.current("demo") not in {old, new}
