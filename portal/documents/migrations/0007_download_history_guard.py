"""Download records are history too (issue 11): the protection of activity.0004, for `documents_downloadevent`.

- INSERT: the database clock stamps `at`, unless the current user owns the table (the owner path).
- UPDATE: refused, except what Django's `on_delete=SET_NULL` does when a version or a person is deleted: set
  `version_id` and/or `user_id` to NULL, every other column unchanged (the row keeps the ids and names it
  copied). TRUNCATE: always refused.
- DELETE: refused, except for the owner and only for rows older than the retention floor shared with the events
  (`history_retention_floor()`, activity.0004).
- `download_purge()` (SECURITY DEFINER, no argument) deletes the records older than the floor; the daily
  retention purge calls it (`portal.documents.services.downloads_purge`).

Names are qualified with the schema being migrated, written as `quote_ident` writes it, and functions pin
`search_path`, for the reasons given in activity.0004 (the template's pg_dump replay rewrites them).
"""

from django.db import migrations, models
from django.db.models.functions import Now


def schema_of(schema_editor) -> str:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_catalog.quote_ident(%s)", [connection.schema_name])
        return cursor.fetchone()[0]


GUARD = """
CREATE FUNCTION {s}.download_history_guard() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    by_owner boolean := pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE');
    kept record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NOT by_owner OR NEW.at IS NULL THEN
            NEW.at := statement_timestamp();
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE'
            AND (NEW.version_id IS NULL OR NEW.version_id = OLD.version_id)
            AND (NEW.user_id IS NULL OR NEW.user_id = OLD.user_id) THEN
        kept := NEW;
        kept.version_id := OLD.version_id;
        kept.user_id := OLD.user_id;
        IF kept IS NOT DISTINCT FROM OLD THEN
            RETURN NEW;  -- a deleted version or person: their foreign keys become NULL, nothing else changes
        END IF;
    END IF;
    IF TG_OP = 'DELETE' AND by_owner AND OLD.at < {s}.history_retention_floor() THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'download records are append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER download_history_rows BEFORE INSERT OR UPDATE OR DELETE ON {s}.documents_downloadevent
    FOR EACH ROW EXECUTE FUNCTION {s}.download_history_guard();
CREATE TRIGGER download_history_truncate BEFORE TRUNCATE ON {s}.documents_downloadevent
    FOR EACH STATEMENT EXECUTE FUNCTION {s}.download_history_guard();

CREATE FUNCTION {s}.download_purge() RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    purged bigint;
BEGIN
    DELETE FROM {s}.documents_downloadevent WHERE at < {s}.history_retention_floor();
    GET DIAGNOSTICS purged = ROW_COUNT;
    RETURN purged;
END
$$;
"""

UNGUARD = """
DROP FUNCTION {s}.download_purge();
DROP TRIGGER download_history_truncate ON {s}.documents_downloadevent;
DROP TRIGGER download_history_rows ON {s}.documents_downloadevent;
DROP FUNCTION {s}.download_history_guard();
"""


def guard(apps, schema_editor) -> None:
    schema_editor.execute(GUARD.format(s=schema_of(schema_editor)), params=None)


def unguard(apps, schema_editor) -> None:
    schema_editor.execute(UNGUARD.format(s=schema_of(schema_editor)), params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0006_resumable_upload_expiry"),
        ("activity", "0004_history_guard"),  # history_retention_floor()
    ]

    operations = [
        migrations.AlterField(
            model_name="downloadevent",
            name="at",
            field=models.DateTimeField(db_default=Now()),
        ),
        migrations.RunPython(guard, unguard),
    ]
