"""Public-schema tasks that orchestrate the tenants' lifecycle."""

from core.celery import app
from operators import lifecycle_jobs


@app.task(name="tenants.run_lifecycle")
def run_lifecycle_task() -> dict[str, int]:
    """Hourly (Celery beat): trial expiry, end of grace periods, marking portals due for purge (which
    `manage.py purge_tenants` drops, with the owner's credentials). Public-schema task. The task name predates
    the move to `operators` and is kept so beat schedules still match."""
    return {
        "trials_expired": lifecycle_jobs.expire_trials(),
        "made_read_only": lifecycle_jobs.end_grace_periods(),
        "marked_for_purge": lifecycle_jobs.mark_purges(),
    }
