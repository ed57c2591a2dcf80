from config.celery import app
from portal.documents import resumable
from portal.documents.models import DocumentVersion
from portal.documents.thumbnails import make_thumbnail
from tenants.tasks import TenantOnlyTask


@app.task(name="documents.sweep_uploads")
def sweep_uploads_task() -> int:
    """Hourly (Celery beat): drop the parts of resumable uploads left for a day."""
    return resumable.sweep(older_than_seconds=24 * 60 * 60)


@app.task(base=TenantOnlyTask, name="documents.make_thumbnail")
def thumbnail_make_task(version_id: int) -> bool:
    version = DocumentVersion.objects.filter(pk=version_id).first()
    return make_thumbnail(version) if version is not None else False
