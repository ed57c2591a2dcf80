"""Decisions no one can rewrite, the application's own database role included (as the activity history,
`activity.0004`): on INSERT the database clock stamps `decided_at` (unless the table's owner writes, for seeding
the past); UPDATE, DELETE and TRUNCATE are always refused. Names are qualified with the schema being migrated and
the function pins `search_path`; the template's DDL replay rewrites the `portico_template.` prefixes."""

from django.db import migrations


def schema_of(schema_editor) -> str:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT pg_catalog.quote_ident(%s)", [schema_editor.connection.schema_name])
        return cursor.fetchone()[0]


GUARD = """
CREATE FUNCTION {s}.engagements_decision_guard() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    by_owner boolean := pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE');
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NOT by_owner OR NEW.decided_at IS NULL THEN
            NEW.decided_at := statement_timestamp();
        END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'decisions on deliverables are immutable (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER engagements_decision_rows BEFORE INSERT OR UPDATE OR DELETE ON {s}.engagements_decision
    FOR EACH ROW EXECUTE FUNCTION {s}.engagements_decision_guard();
CREATE TRIGGER engagements_decision_truncate BEFORE TRUNCATE ON {s}.engagements_decision
    FOR EACH STATEMENT EXECUTE FUNCTION {s}.engagements_decision_guard();
"""

UNGUARD = """
DROP TRIGGER engagements_decision_truncate ON {s}.engagements_decision;
DROP TRIGGER engagements_decision_rows ON {s}.engagements_decision;
DROP FUNCTION {s}.engagements_decision_guard();
"""


def guard(apps, schema_editor) -> None:
    schema_editor.execute(GUARD.format(s=schema_of(schema_editor)), params=None)


def unguard(apps, schema_editor) -> None:
    schema_editor.execute(UNGUARD.format(s=schema_of(schema_editor)), params=None)


class Migration(migrations.Migration):
    dependencies = [("engagements", "0002_deliverables")]
    operations = [migrations.RunPython(guard, unguard)]
