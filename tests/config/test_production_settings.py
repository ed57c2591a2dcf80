"""Production settings: no default for secrets, and `check --deploy` has nothing to say."""

import os
import subprocess
import sys

from tests.support.processes import ROOT

# The variables production must get from its environment, plus the browser suite's async switch.
SECRETS = ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "EMAIL_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if key not in SECRETS}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings.production", "PORTICO_ENV_FILE": "", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = manage("check", DATABASE_URL="postgres://u@db/portico", REDIS_URL="redis://r:6379/0")

    assert result.returncode != 0
    assert "Set the SECRET_KEY environment variable" in result.stderr


def test_production_passes_the_deploy_check_without_warnings() -> None:
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="x" * 20 + "-production-like-secret-key-with-enough-entropy-0123456789",
        DATABASE_URL="postgres://u@db/portico",
        REDIS_URL="redis://r:6379/0",
        EMAIL_URL="smtp+tls://mailer:pw@smtp.example.com:587",
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
