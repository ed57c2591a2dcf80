"""The Celery app. Tasks carry the schema they were sent from (tenant-schemas-celery); tenant tasks use
`tenants.tasks.TenantOnlyTask`, which refuses to run outside a real tenant."""

import os

from celery import signals
from tenant_schemas_celery.app import CeleryApp

from config import observability

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = CeleryApp("portico")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.celeryd_init.connect
@signals.beat_init.connect
def init_sentry_at_start(**_: object) -> None:
    """The worker (before its pool forks) and beat report errors to Sentry; web processes start it themselves."""
    observability.init_sentry_from_settings()
