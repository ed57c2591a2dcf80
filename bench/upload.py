"""`upload_1gb_peak_rss_mb`: peak extra memory of the web server (gunicorn, the project's production
configuration, one worker) while a 1 GiB document is uploaded through the real HTTP stack."""

import http.client
import os
import re
import subprocess
import sys
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
CHUNK = 1024 * 1024
HOST = "bench-0000.localhost"


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def worker_of(master: int) -> int:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("gunicorn started no worker")


class Session:
    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        all_headers = {
            "Host": HOST,
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            **(headers or {}),
        }
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        self.remember(response)
        return response.status, response.read()

    def remember(self, response: http.client.HTTPResponse) -> None:
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            self.cookies.update({key: morsel.value for key, morsel in cookie.items()})

    def sign_in(self, email: str, password: str) -> None:
        _status, page = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if token is None:
            raise RuntimeError("no sign-in form")
        form = urlencode({"csrfmiddlewaretoken": token[1].decode(), "login": email, "password": password}).encode()
        status, _ = self.request(
            "POST", "/accounts/login/", form, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        if status != 302:
            raise RuntimeError(f"sign-in failed ({status})")

    def upload(self, path: str, fields: dict[str, str], filename: str, size: int) -> tuple[int, bytes]:
        """A multipart POST whose file part is generated on the fly: the client never holds it either."""
        boundary = "----portico-bench-boundary"
        preamble = "".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            for name, value in fields.items()
        )
        preamble += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{filename}"\r\n'
            "Content-Type: text/plain\r\n\r\n"
        )
        epilogue = f"\r\n--{boundary}--\r\n".encode()
        head = preamble.encode()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1800)
        connection.putrequest("POST", path, skip_host=True)
        for key, value in {
            "Host": HOST,
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "X-CSRFToken": self.cookies.get("csrftoken", ""),
            "Accept": "application/json",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(len(head) + size + len(epilogue)),
        }.items():
            connection.putheader(key, value)
        connection.endheaders()
        connection.send(head)
        line = (b"Portico bench data, plain text, line after line. " * 20)[:1023] + b"\n"
        block = line * (CHUNK // len(line)) + line[: CHUNK % len(line)]
        sent = 0
        while sent < size:
            piece = block[: min(CHUNK, size - sent)]
            connection.send(piece)
            sent += len(piece)
        connection.send(epilogue)
        response = connection.getresponse()
        return response.status, response.read()


def measure(
    port: int, env: dict[str, str], folder_id: int, org_id: int, email: str, password: str, size: int, state: Path
) -> float:
    """Peak extra RSS (MB) of the one gunicorn worker while `size` bytes are uploaded; gunicorn logs to
    `<state>/gunicorn.log` (the folder is made here: on a fresh clone nothing else has made it)."""
    command = [
        sys.executable, "-m", "gunicorn", "-c", "infra/gunicorn.conf.py", "config.wsgi:application",
    ]  # fmt: skip
    state.mkdir(parents=True, exist_ok=True)
    log = open(state / "gunicorn.log", "wb")  # noqa: SIM115 - closed below
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        worker = worker_of(server.pid)
        session = Session(port)
        for _ in range(100):
            try:
                session.request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        session.sign_in(email, password)
        session.request("GET", f"/clients/{org_id}/documents/")  # warm-up: templates, queries, imports
        baseline = rss_kb(worker)
        peak = baseline
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, rss_kb(worker))
                time.sleep(0.05)

        sampler = threading.Thread(target=sample)
        sampler.start()
        status, body = session.upload(
            f"/clients/{org_id}/documents/upload/", {"folder": str(folder_id), "category": "other"}, "big.txt", size
        )
        done.set()
        sampler.join()
        if status != 200:
            raise RuntimeError(f"the upload failed ({status}): {body[:300]!r}")
        return (peak - baseline) / 1024
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def production_environment(port: int, state: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "PORTICO_ENV_FILE": "",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "EMAIL_URL": "consolemail://",
        "ALLOWED_HOSTS": ".localhost,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "SECURE_HSTS_SECONDS": "0",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_TIMEOUT": "600",
        "MEDIA_ROOT": str(state / "media"),
        "STATIC_ROOT": str(state / "static"),
        "RESUMABLE_UPLOAD_DIR": str(state / "uploads"),
        "LOG_LEVEL": "WARNING",
    }
