"""The Celery app. Tasks carry the schema they were sent from (tenant-schemas-celery); tenant tasks use
`tenants.tasks.TenantOnlyTask`, which refuses to run outside a real tenant. `config.celery` adds the process
start-up hooks (Sentry) and is what `celery -A config` loads."""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = CeleryApp("portico")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
