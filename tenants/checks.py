"""System check (tag `database`): every tenant schema holds its own copy of every dual-installed table."""

from typing import Any

from django.core.checks import Error, Tags, register
from django.db import connection


@register(Tags.database)
def tenant_schemas_complete(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list[Error]:
    if not databases or "default" not in databases:
        return []
    from tenants.models import Tenant
    from tenants.schema_guard import missing_tables

    connection.set_schema_to_public()  # type: ignore[attr-defined]
    if Tenant._meta.db_table not in connection.introspection.table_names():
        return []  # before the first migration; migrate runs this check again once it has finished
    errors = []
    with connection.cursor() as cursor:
        for schema in Tenant.objects.exclude(schema_name="public").values_list("schema_name", flat=True):
            missing = missing_tables(cursor, schema)
            if missing:
                errors.append(
                    Error(
                        f"Schema {schema!r} lacks {', '.join(missing)}; queries would read the public copy.",
                        hint="Run `manage.py migrate`.",
                        id="tenants.E001",
                    )
                )
    return errors
