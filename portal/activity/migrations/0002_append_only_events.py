from django.db import migrations

# Created in the tenant's schema (the first on the search path while migrating). The purge is the one writer
# allowed to delete: it sets `portico.activity_purge` for its own transaction (SET LOCAL). Privileges cannot do
# this job, because development and CI connect as a superuser.
APPEND_ONLY = """
CREATE FUNCTION activity_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('portico.activity_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'activity events are append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER activity_append_only_rows BEFORE UPDATE OR DELETE ON activity_activityevent
    FOR EACH ROW EXECUTE FUNCTION activity_append_only();
CREATE TRIGGER activity_append_only_truncate BEFORE TRUNCATE ON activity_activityevent
    FOR EACH STATEMENT EXECUTE FUNCTION activity_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS activity_append_only_truncate ON activity_activityevent;
DROP TRIGGER IF EXISTS activity_append_only_rows ON activity_activityevent;
DROP FUNCTION IF EXISTS activity_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("activity", "0001_initial")]

    operations = [migrations.RunSQL(APPEND_ONLY, DROP)]
