"""Error reporting: Sentry is switched on by SENTRY_DSN alone and stays off without it.

It is initialised by each process's entry point (`config.wsgi`, `config.asgi`, `manage.py`, and the Celery worker and
beat through `config.celery`'s start-up signals) once the environment's settings module is loaded, never while a
settings module is imported: `base.py` cannot know what `production.py` sets after it (`SENTRY_ENVIRONMENT`).
"""

import sentry_sdk
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration


def init_sentry(*, dsn: str, environment: str) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        include_local_variables=False,  # a frame's locals may hold a secret (an API token, a password)
        traces_sample_rate=0.0,
    )


def init_sentry_from_settings() -> bool:
    """Initialise Sentry from the final settings (`DJANGO_SETTINGS_MODULE`); True when it is on.

    Call it before the application is built (`get_wsgi_application()` loads the middleware Sentry instruments).
    Once per process: a second call, or a process where Sentry is already on, changes nothing. Settings that cannot
    load (a missing secret) are left for Django to report in its own words.
    """
    if sentry_sdk.get_client().is_active():
        return True
    try:
        dsn = settings.SENTRY_DSN
    except ImproperlyConfigured:
        return False
    if not dsn:
        return False
    init_sentry(dsn=dsn, environment=settings.SENTRY_ENVIRONMENT)
    return True
