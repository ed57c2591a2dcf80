"""Real processes the suite starts against the test database: a Celery worker and a web server."""

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
LOG_DIR = ROOT / ".var" / "test-logs"


def test_environment() -> dict[str, str]:
    """Environment for a child process that must use the test database and the test Redis database."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    if db.get("PASSWORD"):
        url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": url,
        "TEST_REDIS_URL": settings.REDIS_URL,
        "PYTHONPATH": str(ROOT),
        # Webhook receivers in the tests listen on http://127.0.0.1 (the refusals are tested in-process).
        "WEBHOOK_ALLOW_HTTP": "true",
        "WEBHOOK_ALLOW_LOOPBACK": "true",
    }


@contextmanager
def running(name: str, command: list[str], ready: Callable[[], bool], timeout: float = 60) -> Iterator[None]:
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log_path = LOG_DIR / f"{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=test_environment(), stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + timeout
            while not ready():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited early; see {log_path}:\n{log_path.read_text()[-3000:]}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{name} was not ready within {timeout}s; see {log_path}")
                time.sleep(0.2)
            yield
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def http_answers(url: str, host: str | None = None) -> bool:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def venv_bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)
