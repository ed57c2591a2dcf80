"""A tenant task the test worker loads (`celery worker -I tests.support.celery_tasks`)."""

from django.db import connection

from accounts.models import User
from core.celery import app
from tenants.tasks import TenantOnlyTask


@app.task(base=TenantOnlyTask, name="tests.tenant_probe")
def tenant_probe() -> dict[str, object]:
    """Reports where it ran and what it read there."""
    return {
        "schema": connection.schema_name,  # type: ignore[attr-defined]
        "emails": sorted(User.objects.values_list("email", flat=True)),
    }
