"""The real mail backend, for code that already runs in Celery and sends at once (event e-mails and digests keep
their own once-only bookkeeping). Everything else queues through `config.mail.CeleryEmailBackend`."""

from typing import Any

from django.conf import settings
from django.core.mail import get_connection


def delivery_connection() -> Any:
    return get_connection(settings.EMAIL_DELIVERY_BACKEND)
