"""What a schema is made of, read from PostgreSQL's catalogs with the schema's own name taken out.

Schema names come from the tests themselves and are quoted."""

import re
from typing import Any

from django.db import connection

QUERIES = {
    "tables": """
        SELECT c.relname, row_number() OVER (PARTITION BY c.relname ORDER BY a.attnum), a.attname,
               format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attidentity
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
        WHERE n.nspname = %(schema)s AND c.relkind = 'r'
    """,
    "indexes": "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = %(schema)s",
    "constraints": """
        SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid)
        FROM pg_constraint WHERE connamespace = %(schema)s::regnamespace
    """,
    "sequences": """
        SELECT sequencename, data_type, start_value, increment_by
        FROM pg_sequences WHERE schemaname = %(schema)s
    """,
    # The history guards are functions and triggers: privileges alone do not survive the template's replay.
    "functions": """
        SELECT proname, pg_get_functiondef(oid) FROM pg_proc WHERE pronamespace = %(schema)s::regnamespace
    """,
    "triggers": """
        SELECT c.relname, t.tgname, t.tgenabled, pg_get_triggerdef(t.oid)
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        WHERE c.relnamespace = %(schema)s::regnamespace AND NOT t.tgisinternal
    """,
}


CASTS = re.compile(r"::(?:text|character varying)(?:\[\])?|[()]")


def without_casts(definition: str) -> str:
    """pg_dump deparses a partial index's predicate `x = ANY(ARRAY['a'::varchar]::text[])` as
    `x = ANY(ARRAY[('a'::varchar)::text])`: the same test, other casts. Compare definitions without casts or
    parentheses; names, columns, uniqueness, methods and literals must still match exactly."""
    return CASTS.sub("", definition)


def describe(schema: str) -> dict[str, Any]:
    """Tables (columns in order, types, defaults, identity), indexes, constraints, sequences and migration rows.
    Column positions are compared in order, not by attnum: migrations leave dropped columns' numbers behind."""
    found: dict[str, Any] = {}
    with connection.cursor() as cursor:
        for name, sql in QUERIES.items():
            cursor.execute(sql, {"schema": schema})
            found[name] = sorted(
                tuple(str(value).replace(f'"{schema}".', "").replace(f"{schema}.", "") for value in row)
                for row in cursor.fetchall()
            )
        found["indexes"] = [(name, without_casts(definition)) for name, definition in found["indexes"]]
        found["constraints"] = [(*row[:3], without_casts(row[3])) for row in found["constraints"]]
        cursor.execute(f'SELECT app, name FROM "{schema}".django_migrations')
        found["migrations"] = sorted(cursor.fetchall())
        cursor.execute(f'SELECT app_label, model FROM "{schema}".django_content_type')
        found["content_types"] = sorted(cursor.fetchall())
        cursor.execute(
            f'SELECT ct.app_label, p.codename FROM "{schema}".auth_permission p '
            f'JOIN "{schema}".django_content_type ct ON ct.id = p.content_type_id'
        )
        found["permissions"] = sorted(cursor.fetchall())
    return found


def schema_exists(schema: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema])
        return cursor.fetchone() is not None
