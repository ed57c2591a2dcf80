"""Sentry is initialised by each process's entry point from the final settings, so production's defaults reach it."""

import json
import os
import subprocess
import sys

import pytest
from django.test import override_settings

from config import observability
from tests.config.test_production_settings import SECRETS
from tests.support.processes import ROOT

# Nothing listens on the discard port of the loopback interface: nothing can leave the machine.
DSN = "http://public@127.0.0.1:9/1"
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "PORTICO_ENV_FILE": "",
    "SECRET_KEY": "x" * 20 + "-production-like-secret-key-with-enough-entropy-0123456789",
    "DATABASE_URL": "postgres://u@db/portico",
    "REDIS_URL": "redis://r:6379/0",
    "EMAIL_URL": "smtp+tls://mailer:pw@smtp.example.com:587",
    "SENTRY_DSN": DSN,
}
REPORT = (
    "import json, sentry_sdk; client = sentry_sdk.get_client(); "
    "print(json.dumps({'active': client.is_active(), 'dsn': client.options.get('dsn'), "
    "'environment': client.options.get('environment')}))"
)
SEND_CELERY_SIGNAL = (
    "from celery import signals; from config.celery import app; "
    "signals.{signal}.send(sender=app, conf=app.conf, instance=None, options={{}}); "
)
ENTRY_POINTS = {
    "wsgi": ["-c", "import config.wsgi; " + REPORT],
    "asgi": ["-c", "import config.asgi; " + REPORT],
    "manage.py": ["manage.py", "shell", "--no-startup", "-c", REPORT],
    "celery worker": ["-c", SEND_CELERY_SIGNAL.format(signal="celeryd_init") + REPORT],
    "celery beat": ["-c", SEND_CELERY_SIGNAL.format(signal="beat_init") + REPORT],
}


def run_production(args: list[str], **env: str) -> dict[str, object]:
    clean = {
        key: value for key, value in os.environ.items() if key not in (*SECRETS, "SENTRY_DSN", "SENTRY_ENVIRONMENT")
    }
    result = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, **PRODUCTION, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    report: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return report


@pytest.mark.parametrize("entry_point", ENTRY_POINTS)
def test_every_entry_point_starts_sentry_with_productions_environment(entry_point: str) -> None:
    report = run_production(ENTRY_POINTS[entry_point])

    assert report == {"active": True, "dsn": DSN, "environment": "production"}


def test_the_environment_variable_still_wins_over_productions_default() -> None:
    report = run_production(ENTRY_POINTS["wsgi"], SENTRY_ENVIRONMENT="staging")

    assert report["environment"] == "staging"


def test_loading_the_settings_does_not_start_sentry() -> None:
    """The settings module only says what to do; starting Sentry there would fix its values before the
    environment's module (production.py) sets its own."""
    report = run_production(["-c", "from django.conf import settings; settings.SENTRY_DSN; " + REPORT])

    assert report["active"] is False


def test_init_reads_djangos_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, str]] = []
    monkeypatch.setattr(observability, "init_sentry", lambda **kwargs: calls.append(kwargs))

    with override_settings(SENTRY_DSN="", SENTRY_ENVIRONMENT="production"):
        assert observability.init_sentry_from_settings() is False
    with override_settings(SENTRY_DSN=DSN, SENTRY_ENVIRONMENT="production"):
        assert observability.init_sentry_from_settings() is True

    assert calls == [{"dsn": DSN, "environment": "production"}]
