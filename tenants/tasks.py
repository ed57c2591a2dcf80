"""The base class of every task that works on one tenant's data.

tenant-schemas-celery stamps each task with the schema it was sent from and falls back to `public` when the
stamp is missing, so a tenant task sent from the wrong context would quietly run against the public schema.
`TenantOnlyTask` refuses instead: it runs only inside an existing tenant's schema.
"""

from typing import Any

from django.db import connection
from django_tenants.utils import get_public_schema_name
from tenant_schemas_celery.app import get_schema_name_from_task
from tenant_schemas_celery.task import TenantTask

from tenants.models import Tenant


class TenantRequiredError(RuntimeError):
    """A tenant task was sent without a tenant, for `public`, or for a tenant that does not exist."""


class TenantOnlyTask(TenantTask):
    abstract = True
    # Refusals are permanent: never retry them.
    throws = (TenantRequiredError,)

    @classmethod
    def get_tenant_for_schema(cls, schema_name: str) -> Tenant:
        try:
            return super().get_tenant_for_schema(schema_name)
        except Tenant.DoesNotExist:
            raise TenantRequiredError(f"No tenant has the schema {schema_name!r}.") from None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        sent_for = get_schema_name_from_task(self, kwargs)
        public = get_public_schema_name()
        running_in = connection.schema_name  # type: ignore[attr-defined]
        # tenant-schemas-celery switches schema in a signal handler whose errors Celery only logs: check that
        # the switch to the schema the task was sent for really happened.
        if not sent_for or sent_for == public or running_in != sent_for:
            raise TenantRequiredError(
                f"{self.name} works on one tenant's data and was sent for {sent_for or 'no tenant'!r}."
            )
        return super().__call__(*args, **kwargs)
