from django_tenants.utils import get_public_schema_name, tenant_context

from core.celery import app
from portal.documents import resumable
from portal.documents.models import DocumentVersion
from portal.documents.thumbnails import make_thumbnail
from tenants.models import Tenant
from tenants.tasks import TenantOnlyTask


@app.task(name="documents.sweep_uploads")
def sweep_uploads_task() -> dict[str, int]:
    """Hourly (Celery beat, public schema): expire abandoned resumable uploads in every portal (one tenant task
    each), and remove the parts left by portals that no longer exist."""
    tenants = list(Tenant.objects.exclude(schema_name=get_public_schema_name()))
    for tenant in tenants:
        with tenant_context(tenant):
            uploads_expire_task.delay()
    orphans = resumable.remove_schemas_except(set(Tenant.objects.values_list("schema_name", flat=True)))
    return {"tenants": len(tenants), "orphan_parts": orphans}


@app.task(base=TenantOnlyTask, name="documents.expire_uploads")
def uploads_expire_task() -> int:
    from portal.documents.services import uploads_expire  # services sends this module's tasks

    return uploads_expire()


@app.task(base=TenantOnlyTask, name="documents.make_thumbnail")
def thumbnail_make_task(version_id: int) -> bool:
    version = DocumentVersion.objects.filter(pk=version_id).first()
    return make_thumbnail(version) if version is not None else False
