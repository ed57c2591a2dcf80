"""System check (tag `database`): every tenant schema holds its own copy of every dual-installed table."""

from typing import Any

from django.core.checks import Error, Tags, register
from django.db import connection
from django_tenants.utils import get_public_schema_name, schema_context

from tenants.schema_guard import guard_suspended


@register(Tags.database)
def tenant_schemas_complete(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list[Error]:
    if not databases or "default" not in databases or guard_suspended():
        return []  # not asked for, or inside `migrate`, which is what repairs an incomplete schema
    from tenants.models import Tenant
    from tenants.schema_guard import missing_tables

    # `migrate` runs this check while the connection is set to the schema it migrates: leave it there.
    with schema_context(get_public_schema_name()):
        if Tenant._meta.db_table not in connection.introspection.table_names():
            return []  # before the first migration; migrate runs this check again once it has finished
        schemas = list(Tenant.objects.exclude(schema_name="public").values_list("schema_name", flat=True))
        with connection.cursor() as cursor:
            missing_by_schema = {schema: missing_tables(cursor, schema) for schema in schemas}
    errors = []
    for schema, missing in missing_by_schema.items():
        if missing:
            errors.append(
                Error(
                    f"Schema {schema!r} lacks {', '.join(missing)}; queries would read the public copy.",
                    hint="Run `manage.py migrate`.",
                    id="tenants.E001",
                )
            )
    return errors
