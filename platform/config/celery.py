"""What `celery -A config` loads: the app of `core.celery`, plus the start-up hooks of the worker and beat."""

from celery import signals

from config import observability
from core.celery import app

__all__ = ["app"]


@signals.celeryd_init.connect
@signals.beat_init.connect
def init_sentry_at_start(**_: object) -> None:
    """The worker (before its pool forks) and beat report errors to Sentry; web processes start it themselves."""
    observability.init_sentry_from_settings()
