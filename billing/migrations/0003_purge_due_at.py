from django.db import migrations, models

# The purge (`purge_tenants`, owner credentials) trusts `canceled_at`: only the table's owner may write a date of
# its choosing there. Any other role (web, Celery) that sets or changes it gets the database's clock, so a stolen
# runtime credential cannot make a portal look canceled long ago. `now()` is the transaction's start, the moment
# the cancellation was decided.
CANCELED_AT_CLOCK = """
CREATE FUNCTION billing_canceled_at_clock() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NEW.canceled_at IS NULL
       OR (TG_OP = 'UPDATE' AND NEW.canceled_at IS NOT DISTINCT FROM OLD.canceled_at)
       OR pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE') THEN
        RETURN NEW;
    END IF;
    NEW.canceled_at := now();
    RETURN NEW;
END
$$;
CREATE TRIGGER billing_canceled_at_clock BEFORE INSERT OR UPDATE OF canceled_at ON billing_subscription
    FOR EACH ROW EXECUTE FUNCTION billing_canceled_at_clock();
"""

DROP = """
DROP TRIGGER IF EXISTS billing_canceled_at_clock ON billing_subscription;
DROP FUNCTION IF EXISTS billing_canceled_at_clock();
"""


class Migration(migrations.Migration):
    dependencies = [("billing", "0002_default_plan")]

    operations = [
        migrations.AddField(
            model_name="subscription",
            name="purge_due_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunSQL(CANCELED_AT_CLOCK, DROP),
    ]
