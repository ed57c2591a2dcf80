"""The Celery app. Tasks carry the schema they were sent from (tenant-schemas-celery); tenant tasks use
`tenants.tasks.TenantOnlyTask`, which refuses to run outside a real tenant."""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = CeleryApp("portico")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
