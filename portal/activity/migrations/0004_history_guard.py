"""History no one can rewrite, the application's own database role included (issue 11).

0002's trigger trusted a custom setting (`portico.activity_purge`), which any role may set. This one trusts only
ownership of the table: the runtime role (web, Celery) owns nothing, while migrations, seeding and the purge
function below run as the owner role.

- INSERT: the database clock stamps `created_at`, unless the current user owns the table (seeding and tests
  that need the past go through the owner).
- UPDATE and TRUNCATE: always refused.
- DELETE: refused, except for the owner (the purge function below runs as its owner) and only for rows older
  than the retention floor.
- `activity_purge()` (SECURITY DEFINER, owned by the owner because migrations run as the owner) deletes the events
  older than the floor, with their deliveries and notifications first. It takes no argument: the floor is fixed
  here, `history_retention_floor()`, which the download records (documents.0007) share. It keeps PostgreSQL's
  default EXECUTE for PUBLIC (`db_roles` grants the runtime role EXECUTE besides); calling it can only do what
  the daily purge does.

"The current user owns the table" is PostgreSQL's own test for who may ALTER it (`pg_has_role(…, 'USAGE')`,
so members of the owner role and superusers count too): whoever passes could disable the trigger anyway.

Every name is qualified with the schema being migrated and every function pins `search_path`, so no object a
caller can reach through its own path stands in for these. New tenant schemas are replayed from the template
schema's `pg_dump` (`tenants.template.ddl_recipe`), which rewrites `portico_template.` prefixes, function bodies
included; the schema is written as `quote_ident` writes it (quoted only when it must be), so the template's
names read `portico_template.` and are rewritten, while a tenant schema whose name is a keyword still parses.
"""

from django.db import migrations, models
from django.db.models.functions import Now

# The retention floor: events and download records younger than this are never deleted (3 years).
RETENTION = "1095 days"


def schema_of(schema_editor) -> str:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_catalog.quote_ident(%s)", [connection.schema_name])
        return cursor.fetchone()[0]


GUARD = """
DROP TRIGGER activity_append_only_truncate ON {s}.activity_activityevent;
DROP TRIGGER activity_append_only_rows ON {s}.activity_activityevent;
DROP FUNCTION {s}.activity_append_only();

CREATE FUNCTION {s}.history_retention_floor() RETURNS timestamptz
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
    AS $$ SELECT now() - interval '{retention}' $$;

CREATE FUNCTION {s}.activity_history_guard() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    by_owner boolean := pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE');
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NOT by_owner OR NEW.created_at IS NULL THEN
            NEW.created_at := statement_timestamp();
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' AND by_owner AND OLD.created_at < {s}.history_retention_floor() THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'activity events are append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER activity_history_rows BEFORE INSERT OR UPDATE OR DELETE ON {s}.activity_activityevent
    FOR EACH ROW EXECUTE FUNCTION {s}.activity_history_guard();
CREATE TRIGGER activity_history_truncate BEFORE TRUNCATE ON {s}.activity_activityevent
    FOR EACH STATEMENT EXECUTE FUNCTION {s}.activity_history_guard();

CREATE FUNCTION {s}.activity_purge() RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    cutoff timestamptz := {s}.history_retention_floor();
    purged bigint;
BEGIN
    DELETE FROM {s}.activity_delivery AS d USING {s}.activity_activityevent AS e
        WHERE d.event_id = e.id AND e.created_at < cutoff;
    DELETE FROM {s}.activity_notification AS n USING {s}.activity_activityevent AS e
        WHERE n.event_id = e.id AND e.created_at < cutoff;
    DELETE FROM {s}.activity_activityevent WHERE created_at < cutoff;
    GET DIAGNOSTICS purged = ROW_COUNT;
    RETURN purged;
END
$$;
"""

# Back to 0002's trigger, without its custom-setting escape: going back must not reopen the history. (The code of
# that time purged through the escape: its purge fails instead, until the history is guarded again.)
UNGUARD = """
DROP FUNCTION {s}.activity_purge();
DROP TRIGGER activity_history_truncate ON {s}.activity_activityevent;
DROP TRIGGER activity_history_rows ON {s}.activity_activityevent;
DROP FUNCTION {s}.activity_history_guard();
DROP FUNCTION {s}.history_retention_floor();

CREATE FUNCTION {s}.activity_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'activity events are append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER activity_append_only_rows BEFORE UPDATE OR DELETE ON {s}.activity_activityevent
    FOR EACH ROW EXECUTE FUNCTION {s}.activity_append_only();
CREATE TRIGGER activity_append_only_truncate BEFORE TRUNCATE ON {s}.activity_activityevent
    FOR EACH STATEMENT EXECUTE FUNCTION {s}.activity_append_only();
"""


def guard(apps, schema_editor) -> None:
    schema_editor.execute(GUARD.format(s=schema_of(schema_editor), retention=RETENTION), params=None)


def unguard(apps, schema_editor) -> None:
    schema_editor.execute(UNGUARD.format(s=schema_of(schema_editor)), params=None)


class Migration(migrations.Migration):
    dependencies = [("activity", "0003_event_visibility")]

    operations = [
        migrations.AlterField(
            model_name="activityevent",
            name="created_at",
            field=models.DateTimeField(db_default=Now(), db_index=True),
        ),
        migrations.RunPython(guard, unguard),
    ]
