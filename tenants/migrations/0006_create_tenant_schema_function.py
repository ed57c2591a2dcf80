"""`public.create_tenant_schema(name)`: how the runtime role makes a new tenant's schema.

The runtime role (web, Celery) may not create schemas. This function, owned by the owner role (who runs the
migrations) and SECURITY DEFINER, makes one inside the caller's transaction, so provisioning stays all or
nothing: it checks the name, reads the stored template (`tenants_schematemplate`, which the runtime role may not
write) itself, replays its DDL under the name, copies the template's rows and sets its sequences. Everything it
creates belongs to the owner; the default privileges set up by `db_roles` give the runtime role its DML on them.

Its search_path is pinned to `pg_catalog, pg_temp` (pg_temp last), and everything else is schema-qualified, so
nothing a caller creates (a temporary table named like the template's, say) can stand in for what it means.
The name rules are those of `tenants.subdomains` (the subdomain with `_` for `-`, a leading `_` before a digit,
3 to 40 characters besides that `_`), and the names a subdomain can never give are refused again here.
"""

from django.db import migrations

CREATE_FUNCTION = r"""
CREATE OR REPLACE FUNCTION public.create_tenant_schema(name text) RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
-- What pg_dump sets before its DDL (the snapshot keeps none of its SET lines), pinned so a caller's session
-- settings cannot change how the DDL is read (a backslash in a literal, a function body checked too early).
SET search_path = pg_catalog, pg_temp
SET standard_conforming_strings = on
SET check_function_bodies = off
SET default_tablespace = ''
SET default_table_access_method = heap
AS $function$
DECLARE
    template_count bigint;
    recipe text;
    copied_tables jsonb;
    set_sequences jsonb;
    item text;
    last_position bigint;
    position_called boolean;
BEGIN
    IF name IS NULL
        OR name !~ '^([a-z][a-z0-9_]{1,38}[a-z0-9]|_[0-9][a-z0-9_]{1,38}[a-z0-9])$'
        OR name IN ('public', 'portico_template', 'information_schema')
        OR pg_catalog.left(name, 3) = 'pg_'
        OR pg_catalog.left(name, 4) = 'xn__'
    THEN
        RAISE EXCEPTION 'create_tenant_schema: % cannot name a tenant schema', pg_catalog.quote_nullable(name)
            USING ERRCODE = 'invalid_schema_name';
    END IF;

    SELECT pg_catalog.count(*) INTO template_count FROM public.tenants_schematemplate;
    IF template_count <> 1 THEN
        RAISE EXCEPTION 'create_tenant_schema: no template schema snapshot (found %): run manage.py migrate',
            template_count
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    SELECT t.ddl, t.data_tables, t.sequences INTO recipe, copied_tables, set_sequences
    FROM public.tenants_schematemplate t;
    -- The schema must be one this call creates (so it is new and the owner's), never one that exists.
    IF pg_catalog.strpos(recipe, 'CREATE SCHEMA {{schema}};') = 0 THEN
        RAISE EXCEPTION 'create_tenant_schema: the template snapshot does not create its schema'
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;

    -- pg_dump's DDL, schema-qualified throughout (dumped with an empty search_path). EXECUTE runs a string of
    -- several statements when it has no USING or INTO.
    EXECUTE pg_catalog.replace(recipe, '{{schema}}', pg_catalog.quote_ident(name));

    FOR item IN SELECT pg_catalog.jsonb_array_elements_text(copied_tables) LOOP
        EXECUTE pg_catalog.format('INSERT INTO %I.%I SELECT * FROM portico_template.%I', name, item, item);
    END LOOP;
    FOR item IN SELECT pg_catalog.jsonb_array_elements_text(set_sequences) LOOP
        EXECUTE pg_catalog.format('SELECT last_value, is_called FROM portico_template.%I', item)
            INTO last_position, position_called;
        PERFORM pg_catalog.setval(pg_catalog.format('%I.%I', name, item)::regclass, last_position, position_called);
    END LOOP;
END
$function$
"""

# Only the roles granted it may call it (`db_roles` grants the runtime role EXECUTE on the owner's functions).
REVOKE_FROM_PUBLIC = "REVOKE ALL ON FUNCTION public.create_tenant_schema(text) FROM PUBLIC"

DROP_FUNCTION = "DROP FUNCTION IF EXISTS public.create_tenant_schema(text)"


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0005_virus_scanning"),
    ]

    operations = [
        # A list: each statement is run as it is (a string would be split by sqlparse).
        migrations.RunSQL([CREATE_FUNCTION, REVOKE_FROM_PUBLIC], [DROP_FUNCTION]),
    ]
